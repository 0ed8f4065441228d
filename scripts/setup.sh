#!/usr/bin/env bash
# Installs what vip-speaker's build, tests and labs need on a Debian machine, then builds.
# Idempotent: installs only what is missing. Run as root for the Debian packages.
#   scripts/setup.sh            Debian packages (routers for the labs, iproute2, tcpdump, arping),
#                               npm dependencies, build
#   SKIP_APT=1 scripts/setup.sh npm dependencies and build only
# Then, as root, it links the built command onto the PATH: /usr/local/bin/vip-speaker (or
# $VIP_SPEAKER_BIN_DIR/vip-speaker) -> dist/src/cli.js of this clone, so that `vip-speaker` works
# from anywhere. A link, not a copy or `npm link`: nothing to reinstall after a rebuild, and no
# global npm state; removing the clone leaves a dangling link, which `rm` takes away.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }

need_node_major=20
if ! command -v node >/dev/null 2>&1; then
  say "Node.js ${need_node_major} or newer is required and was not found (Debian 12's nodejs package is 18: install Node.js 20+ first)"
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt "$need_node_major" ]; then
  say "Node.js ${need_node_major} or newer is required, found $(node --version)"
  exit 1
fi

# Debian packages: the real routers the interop labs peer with, and the tools the labs use;
# prometheus for its promtool, which checks and unit-tests the alerting rules (its service is
# kept from starting, as the routers' are); tshark is the second, independent decoder of what the
# session fuzzer sees the speaker send.
packages=(frr bird2 gobgpd exabgp iproute2 tcpdump iputils-arping procps psmisc prometheus tshark)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${SKIP_APT:-0}" != 1 ] && [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    say "missing Debian packages: ${missing[*]} (run as root to install them; the unit tests do not need them)"
  else
    say "installing ${missing[*]}"
    # The labs start their own daemons inside network namespaces: keep the packages' services
    # from starting on the host while they install.
    policy=/usr/sbin/policy-rc.d
    created_policy=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=1
    fi
    trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

say "installing npm dependencies"
npm ci --no-audit --no-fund --loglevel=error
say "building"
npm run build --silent

bin_dir=${VIP_SPEAKER_BIN_DIR:-/usr/local/bin}
link="$bin_dir/vip-speaker"
target="$(pwd)/dist/src/cli.js"
if [ -e "$link" ] && [ ! -L "$link" ]; then
  say "$link exists and is not a link: left alone (run $target, or npx vip-speaker here)"
elif [ ! -w "$bin_dir" ]; then
  say "cannot write $bin_dir: run as root to put vip-speaker on the PATH, or run $target (npx vip-speaker here)"
else
  if [ -L "$link" ] && [ "$(readlink "$link")" != "$target" ]; then say "$link pointed to $(readlink "$link"); now to this clone"; fi
  ln -sfn "$target" "$link"
  say "vip-speaker is on the PATH: $link -> $target"
fi
say "done"
