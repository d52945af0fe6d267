#!/usr/bin/env bash
# The GitHub Action's logic (action.yml runs it; tests/integration/action.rs runs it with the
# INPUT_* variables the action passes and GITHUB_OUTPUT/GITHUB_STEP_SUMMARY set to files).
#
#   INPUT_PATHS          specs or directories to lint, separated by spaces or newlines (default .)
#   INPUT_ARGS           more `agentc lint` arguments, e.g. `--deny all` (split on spaces)
#   INPUT_SARIF_FILE     where to write SARIF for github/codeql-action/upload-sarif ('' for none)
#   INPUT_FAIL_ON_ERROR  `true` (default): fail the step when lint reports an error-level finding
#   INPUT_COST           `true`: write `agentc cost --format markdown` of the changed specs
#   INPUT_COST_SPECS     the specs to price (default: the specs changed since INPUT_BASE_REF, or
#                        every spec under INPUT_PATHS without a base)
#   INPUT_BASE_REF       the commit to compare with (a pull request's base)
#   INPUT_COMMENT_FILE   where the cost Markdown goes (default agentc-cost.md), for a PR comment
#   AGENTC               the agentc binary (default: `agentc` on PATH)
set -euo pipefail

agentc=${AGENTC:-agentc}
output=${GITHUB_OUTPUT:-/dev/null}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
read -r -a paths <<<"$(printf '%s' "${INPUT_PATHS:-.}" | tr '\n' ' ')"
[ "${#paths[@]}" -gt 0 ] || paths=(.)
read -r -a args <<<"${INPUT_ARGS:-}"
sarif=${INPUT_SARIF_FILE-agentc.sarif}

if ! command -v "$agentc" >/dev/null 2>&1; then
  echo "::error title=agentc::agentc is not installed: leave the action's \`install\` input at true, or put agentc on PATH"
  exit 2
fi

# Annotations on the changed lines (`::error file=…,line=…::`), and the exit status.
status=0
"$agentc" lint --format github "${args[@]}" "${paths[@]}" || status=$?
if [ "$status" -ge 2 ]; then
  echo "::error title=agentc::agentc lint could not run (exit $status); its message is above"
  exit "$status"
fi
# The same findings for code scanning. Lint takes milliseconds, so it simply runs again.
if [ -n "$sarif" ]; then
  "$agentc" lint --format sarif "${args[@]}" "${paths[@]}" >"$sarif" || true
  echo "sarif-file=$sarif" >>"$output"
fi
verdict=$("$agentc" lint "${args[@]}" "${paths[@]}" 2>/dev/null | tail -n 1 || true)
{
  echo "### agentc lint"
  echo
  echo "$verdict"
  echo
} >>"$summary"
echo "lint-status=$status" >>"$output"

if [ "${INPUT_COST:-false}" = "true" ]; then
  specs=()
  if [ -n "${INPUT_COST_SPECS:-}" ]; then
    read -r -a specs <<<"$(printf '%s' "$INPUT_COST_SPECS" | tr '\n' ' ')"
  elif [ -n "${INPUT_BASE_REF:-}" ]; then
    while IFS= read -r file; do
      specs+=("$file")
    done < <(git diff --name-only --diff-filter=d "$INPUT_BASE_REF" -- "${paths[@]}" \
      | grep -E '\.ya?ml$' || true)
  else
    while IFS= read -r file; do
      specs+=("$file")
    done < <(find "${paths[@]}" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
  fi
  comment=${INPUT_COMMENT_FILE:-agentc-cost.md}
  {
    # A fixed first line lets a workflow find and update its earlier comment.
    echo "<!-- agentc-cost -->"
    priced=0
    for spec in "${specs[@]}"; do
      # Only agent specs (a top-level `agentc:`), as `agentc lint --only-specs` decides.
      grep -q '^agentc:' "$spec" 2>/dev/null || continue
      priced=$((priced + 1))
      "$agentc" cost --format markdown "$spec" 2>/dev/null \
        || echo "agentc could not price \`$spec\`: run \`agentc cost $spec\` to see why."
      echo
      # The budget gate: `lint.monthly_budget_usd`, as lint's cost-over-budget rule judges it.
      over=$("$agentc" lint --format github "$spec" 2>/dev/null \
        | grep 'title=agentc cost-over-budget::' | sed -e 's/^::[^:]*::\(.*\)$/\1/' -e 's/%0A.*//' || true)
      if [ -n "$over" ]; then
        echo "**Over budget** (\`$spec\`):"
        echo
        printf '%s\n' "$over" | sed 's/^/- /'
        echo
      fi
    done
    if [ "$priced" -eq 0 ]; then
      echo "### agentc cost"
      echo
      echo "No agent spec changed."
    fi
  } >"$comment"
  cat "$comment" >>"$summary"
  echo "cost-file=$comment" >>"$output"
fi

if [ "$status" -ne 0 ] && [ "${INPUT_FAIL_ON_ERROR:-true}" = "true" ]; then
  exit "$status"
fi
exit 0
