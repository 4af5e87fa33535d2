# A verification can be imported by the domain's ID or name; the import
# itself does not wait, and record_fqdns stays null until set in the config.
terraform import vastal_domain_verification.this dom_xyz789
terraform import vastal_domain_verification.this example.com
