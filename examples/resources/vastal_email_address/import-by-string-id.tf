# By the address itself, or by "domain_id/email_id".
import {
  to = vastal_email_address.hello
  id = "hello@example.com"
}
