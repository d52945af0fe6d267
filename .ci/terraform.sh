#!/usr/bin/env bash
# `terraform validate` on the Terraform export of every deployable example spec, with the
# hashicorp/aws provider from a local filesystem mirror (no registry access needed).
#
# Terraform and the provider cannot be installed from the package registries CI may reach, so
# where they are missing this step says so and stops; `tests/integration/terraform_export.rs` checks the
# same exports against the provider's schema (committed from this script's --update-schema) on
# every machine.
#
#   TF_PLUGIN_MIRROR   provider mirror directory (default /opt/tf-plugins), laid out as
#                      registry.terraform.io/hashicorp/aws/<version>/<os_arch>/…
#   --update-schema    also rewrite tests/fixtures/terraform/ from `terraform providers schema`
# Expects ./target/debug/agentc to be built (.ci/run builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."

mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
version="$(python3 -c 'import json;print(json.load(open("tests/fixtures/terraform/hashicorp-aws-5.100.0-bedrockagent.json"))["version"])')"
if ! command -v terraform >/dev/null 2>&1; then
  echo "terraform.sh: skipped, no terraform on PATH (the schema check in tests/integration/terraform_export.rs still ran)"
  exit 0
fi
if [ ! -d "$mirror/registry.terraform.io/hashicorp/aws/$version" ]; then
  echo "terraform.sh: skipped, hashicorp/aws $version not in the provider mirror $mirror (set TF_PLUGIN_MIRROR)"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct { exclude = ["registry.terraform.io/hashicorp/aws"] }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
versions='{"terraform":{"required_providers":{"aws":{"source":"hashicorp/aws","version":"'"$version"'"}}}}'

checked=0
for spec in agents/*.yaml tests/fixtures/agents/spec.yaml; do
  grep -qE '^  agents:' "$spec" || continue
  dir="$work/$(basename "$(dirname "$spec")")-$(basename "$spec" .yaml)"
  mkdir -p "$dir"
  ./target/debug/agentc compile "$spec" --target agents --format terraform --out "$dir/main.tf.json" 2>/dev/null
  echo "$versions" >"$dir/versions.tf.json"
  (cd "$dir" && terraform init -backend=false -input=false -no-color >init.log 2>&1) || {
    cat "$dir/init.log" >&2
    exit 1
  }
  echo "== $spec"
  (cd "$dir" && terraform validate -no-color)
  checked=$((checked + 1))
  if [ "${1:-}" = "--update-schema" ] && [ "$checked" -eq 1 ]; then
    (cd "$dir" && terraform providers schema -json) | python3 -c '
import json, sys
schemas = json.load(sys.stdin)["provider_schemas"]["registry.terraform.io/hashicorp/aws"]["resource_schemas"]
keep = {k: v for k, v in schemas.items() if k.startswith("aws_bedrockagent_agent")}
doc = {"//": "Resource schemas of aws_bedrockagent_agent* from `terraform providers schema -json` with hashicorp/aws '"$version"'. Regenerate with .ci/terraform.sh --update-schema where Terraform and the provider are installed.",
       "provider": "registry.terraform.io/hashicorp/aws", "version": "'"$version"'", "resource_schemas": keep}
json.dump(doc, open("tests/fixtures/terraform/hashicorp-aws-'"$version"'-bedrockagent.json", "w"), indent=1, sort_keys=True)
'
  fi
done
echo "terraform validate: $checked Terraform export(s) valid against hashicorp/aws $version ($(terraform version | head -1))"
