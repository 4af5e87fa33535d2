import {
  to = vastal_domain_verification.this
  id = "dom_xyz789"
}
