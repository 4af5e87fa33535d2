# An address can be imported by the address itself...
terraform import vastal_email_address.hello hello@example.com

# ...or by domain_id/email_id.
terraform import vastal_email_address.hello dom_xyz789/email_001
