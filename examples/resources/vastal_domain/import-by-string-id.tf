# By ID, or by the domain's name in any spelling.
import {
  to = vastal_domain.this
  id = "example.com"
}
