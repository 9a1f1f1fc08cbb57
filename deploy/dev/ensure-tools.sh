#!/usr/bin/env bash
# Tools the test suite drives from outside Python: Debian's Chromium for the browser tests
# (Playwright's own browser download is not reachable here) and jq for the README walkthrough.
# Installs what is missing from the distribution; fails if it cannot.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "ensure-tools: missing ${missing[*]}; install them: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "ensure-tools: installing ${missing[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
for tool in chromium jq curl; do command -v "$tool" >/dev/null; done
