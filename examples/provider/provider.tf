terraform {
  required_providers {
    vastal = {
      source = "vastal/vastal"
    }
  }
}

# The hosted API. Leave api_key out and set VASTAL_API_KEY instead, so that
# the key never lands in a file under version control.
provider "vastal" {
  # api_key = var.vastal_api_key
  # endpoint = "https://api.vastal.com" # or VASTAL_ENDPOINT
}

# The embedded backend: the same API, served inside the provider from a local
# SQLite file, with real DNS checks. No account needed.
provider "vastal" {
  alias = "embedded"

  embedded = {
    path = ".vastal/embedded.db" # the default; or VASTAL_EMBEDDED_PATH
  }

  dns = {
    # Recursive resolvers used only to find a zone's authoritative servers.
    resolvers = ["1.1.1.1:53", "8.8.8.8:53"]
    timeout   = "2s"
  }
}
