#!/usr/bin/env bash
# make demo: the whole chain in one apply, on the embedded backend, with a
# real authoritative DNS server on loopback standing in for the Internet's DNS.
# Needs only Go and a Terraform CLI (built into .tools/ when none is found).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
work="$root/.demo"
say() { printf '\n==> %s\n' "$*"; }

tf=$("$root/.ci/terraform-cli")
say "Terraform CLI: $tf ($("$tf" version | head -1))"

rm -rf "$work"
mkdir -p "$work/bin" "$work/run"

say "Building the provider and the demo's DNS tools"
(cd "$root" && go build -o "$work/bin/terraform-provider-vastal" . \
  && go build -o "$work/bin/dnsserver" ./internal/demo/dnsserver \
  && go build -o "$work/bin/nsupdate" ./internal/demo/nsupdate)

say "Starting an authoritative DNS server for example.test on loopback (accepts RFC 2136 updates)"
"$work/bin/dnsserver" -listen 127.0.0.1:0 -zone example.test -addr-file "$work/dns.addr" >"$work/dnsserver.log" 2>&1 &
dns_pid=$!
cleanup() {
  kill "$dns_pid" 2>/dev/null || true
  wait "$dns_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  [ -s "$work/dns.addr" ] && break
  kill -0 "$dns_pid" 2>/dev/null || { cat "$work/dnsserver.log"; echo "RESULT: FAIL - the DNS server did not start"; exit 1; }
  sleep 0.1
done
dns_addr=$(cat "$work/dns.addr")
echo "DNS server listening on $dns_addr"

# The locally built provider, with no registry: dev_overrides in a CLI config
# of the demo's own.
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "vastal/vastal" = "$work/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1
cp "$root/examples/quickstart/main.tf" "$work/run/"
cd "$work/run"
vars=(-var "dns_server=$dns_addr" -var "nsupdate=$work/bin/nsupdate")

say "terraform apply: domain -> records into DNS -> verification -> two addresses, in one apply"
start=$(date +%s)
"$tf" apply -auto-approve -input=false -compact-warnings -no-color "${vars[@]}"
took=$(( $(date +%s) - start ))

say "Outputs"
"$tf" output

say "A second plan must be empty"
set +e
"$tf" plan -detailed-exitcode -input=false -compact-warnings -no-color "${vars[@]}" >"$work/plan2.txt" 2>&1
code=$?
set -e
if [ "$code" -ne 0 ]; then
  cat "$work/plan2.txt"
  echo "RESULT: FAIL - the second plan is not empty (exit code $code)"
  exit 1
fi
echo "No changes."

say "terraform destroy"
"$tf" destroy -auto-approve -input=false -compact-warnings -no-color "${vars[@]}"

echo
echo "RESULT: ok - example.test verified and 2 addresses created in one apply (${took}s), second plan empty, destroyed"
