#!/bin/sh
# Plan the account-baseline scenarios with real Terraform (1.11) and the AWS provider
# 5.100.0 from a filesystem mirror, offline, and write `terraform show -json` to
# testdata/plans/real/<scenario>.json. Mock credentials and the provider's skip_* flags:
# nothing calls AWS. Usage: testdata/terraform/account_make_plans.sh [MIRROR]
# (MIRROR: the folder above registry.terraform.io; default /opt/tf-plugins). ~8 s a plan.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../plans/real"
mirror=${1:-/opt/tf-plugins}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/cli.tfrc" <<CFG
provider_installation {
  filesystem_mirror {
    path = "$mirror"
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
CFG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
for scenario in account_baseline_secure account_baseline_insecure; do
  dir="$work/$scenario"
  cp -r "$here/$scenario" "$dir"
  terraform -chdir="$dir" init -input=false -no-color >/dev/null
  terraform -chdir="$dir" plan -input=false -no-color -refresh=false -lock=false -out=plan.out >/dev/null
  # Drop the run's timestamp so a regeneration without change gives the same file.
  terraform -chdir="$dir" show -json plan.out | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("timestamp",None); json.dump(d,sys.stdout,indent=1,sort_keys=True); print()' > "$out/$scenario.json"
  echo "wrote $out/$scenario.json"
done
