#!/usr/bin/env bash
# Runs the module's `terraform test` suite (make examples-check): builds the
# provider and the demo DNS tools, starts a loopback authoritative DNS server
# that accepts RFC 2136 updates, and runs the tests on a copy of the module
# (so that .terraform/ never lands in the tree) with the provider installed
# through dev_overrides and the embedded backend in a temporary file.
# Skips, saying so, when the CLI is older than 1.6 (no `terraform test`).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
tf=${TERRAFORM:-$("$root/.ci/terraform-cli")}

version=$("$tf" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9.]*\).*/\1/p' | head -1)
major=${version%%.*}
minor=${version#*.}
minor=${minor%%.*}
if [ -z "$version" ] || [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 6 ]; }; then
  echo "examples/modules/email-domain: SKIPPED terraform test: $tf is version ${version:-unknown}, 'terraform test' needs 1.6 or later"
  exit 0
fi

bin="$root/.tools/examples-bin"
mkdir -p "$bin"
(cd "$root" && go build -o "$bin/terraform-provider-vastal" . &&
  go build -o "$bin/dnsserver" ./internal/demo/dnsserver &&
  go build -o "$bin/nsupdate" ./internal/demo/nsupdate)

work=$(mktemp -d)
dns_pid=
cleanup() {
  if [ -n "$dns_pid" ]; then
    kill "$dns_pid" 2>/dev/null || true
    wait "$dns_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/dnsserver" -listen 127.0.0.1:0 -zone example.test -addr-file "$work/dns.addr" >"$work/dnsserver.log" 2>&1 &
dns_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/dns.addr" ] && break
  kill -0 "$dns_pid" 2>/dev/null || { cat "$work/dnsserver.log"; echo "the loopback DNS server did not start" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/dns.addr" ] || { echo "the loopback DNS server did not report its address" >&2; exit 1; }
dns_addr=$(cat "$work/dns.addr")

cp -R "$here" "$work/module"
rm -rf "$work/module/.terraform" "$work/module/.terraform.lock.hcl"
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "vastal/vastal" = "$bin"
  }
  direct {}
}
RC

export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1
export TF_VAR_dns_server="$dns_addr"
export TF_VAR_nsupdate="$bin/nsupdate"
export TF_VAR_embedded_path="$work/embedded.db"
export VASTAL_EMBEDDED_PATH="$work/embedded.db"
export VASTAL_DNS_NAMESERVERS="$dns_addr"
unset VASTAL_API_KEY VASTAL_ENDPOINT

cd "$work/module"
echo "examples/modules/email-domain: terraform test with $tf ($version), DNS server $dns_addr"
# init would ask the registry about vastal/vastal despite dev_overrides;
# `get` installs the local modules (the test fixtures included) and nothing else.
"$tf" get -no-color >"$work/get.log" 2>&1 || { cat "$work/get.log"; exit 1; }
"$tf" test -no-color
