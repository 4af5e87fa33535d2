# A domain can be imported by its ID...
terraform import vastal_domain.this dom_xyz789

# ...or by its name, in any spelling.
terraform import vastal_domain.this example.com
