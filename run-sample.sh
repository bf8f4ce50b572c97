#!/usr/bin/env bash
# Starts the sample application (orders and payments) on Open Liberty against a local AWS emulator.
# The sample lands with the sample issue; until then this says so.
set -euo pipefail
cd "$(dirname "$0")"
echo "The SourceFlow sample is not yet available: sourceflow-ee-sample is still being built." >&2
echo "Run the tests meanwhile: mvn -B verify" >&2
exit 1
