#!/usr/bin/env bash
# Installs the Debian packages the suite runs on, only those that are missing. Sourced by run.sh and test.sh.
set -euo pipefail

ensure_packages() {
  local missing=()
  for spec in "$@"; do
    local package=${spec%%:*} probe=${spec#*:}
    [ -x "$probe" ] || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing missing packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  # The Debian packages start system-wide services; the suite starts its own isolated instances and never uses them.
  for service in postgresql; do
    $sudo systemctl disable --now "$service" >/dev/null 2>&1 || $sudo service "$service" stop >/dev/null 2>&1 || true
  done
}

# Makes sure Java runs and KAFKA_HOME names an Apache Kafka 4.4.0 distribution (the folder holding libs/), and exports it:
# KAFKA_HOME as given; else ../shared/kafka beside the repository (this project's machines); else the official binary
# release, downloaded once into ${XDG_CACHE_HOME:-~/.cache}/ecommerce/kafka-4.4.0 and checked against its published SHA-512.
ensure_kafka() {
  local version=4.4.0 scala=2.13
  local name="kafka_$scala-$version"
  command -v java >/dev/null 2>&1 || ensure_packages openjdk-17-jre-headless:/usr/bin/java
  if ! command -v java >/dev/null 2>&1; then
    echo "Java is required for the Kafka broker (java on PATH): apt-get install -y openjdk-17-jre-headless" >&2
    exit 1
  fi

  if [ -n "${KAFKA_HOME:-}" ]; then
    if ! _is_kafka_distribution "$KAFKA_HOME"; then
      echo "KAFKA_HOME is '$KAFKA_HOME', which holds no Apache Kafka distribution (no libs/kafka-server-*.jar)." >&2
      echo "Set KAFKA_HOME to the folder of an Apache Kafka $version binary release (the one holding libs/), or unset it." >&2
      exit 1
    fi
    KAFKA_HOME=$(cd "$KAFKA_HOME" && pwd)
    export KAFKA_HOME
    return 0
  fi

  local repo shared
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  shared="$repo/../shared/kafka"
  if _is_kafka_distribution "$shared"; then
    KAFKA_HOME=$(cd "$shared" && pwd)
    export KAFKA_HOME
    return 0
  fi

  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/ecommerce/kafka-$version"
  if ! _is_kafka_distribution "$cache/$name" && ! _download_kafka "$cache" "$name" "$version"; then
    echo "Apache Kafka $version is required and could not be downloaded. Download the binary release $name.tgz" >&2
    echo "(https://downloads.apache.org/kafka/$version/ or https://archive.apache.org/dist/kafka/$version/), extract it and" >&2
    echo "set KAFKA_HOME to the extracted folder (the one holding libs/), e.g. export KAFKA_HOME=\$HOME/$name" >&2
    exit 1
  fi
  export KAFKA_HOME="$cache/$name"
}

_is_kafka_distribution() {
  compgen -G "$1/libs/kafka-server-*.jar" >/dev/null
}

# Downloads the release and its .sha512 from the first mirror that has both and whose checksum matches, and extracts it
# to $1/$2. Nothing is left behind on failure; a concurrent run that got there first wins.
_download_kafka() {
  local cache=$1 name=$2 version=$3
  local archive="$name.tgz" work base
  mkdir -p "$cache" && work=$(mktemp -d "$cache/.download.XXXXXX") || return 1
  for base in "https://downloads.apache.org/kafka/$version" "https://archive.apache.org/dist/kafka/$version"; do
    echo "Downloading Apache Kafka $version from $base (once, into $cache)"
    rm -rf "${work:?}"/*
    if ! _fetch "$base/$archive" "$work/$archive" || ! _fetch "$base/$archive.sha512" "$work/$archive.sha512"; then
      echo "  not available there" >&2
      continue
    fi
    if ! _sha512_matches "$work/$archive" "$work/$archive.sha512"; then
      echo "  $archive from $base does not match its published SHA-512; not used" >&2
      continue
    fi
    if ! tar -xzf "$work/$archive" -C "$work" || ! _is_kafka_distribution "$work/$name"; then
      echo "  $archive does not extract to $name/libs" >&2
      continue
    fi
    if mv -T "$work/$name" "$cache/$name" 2>/dev/null || _is_kafka_distribution "$cache/$name"; then
      rm -rf "$work"
      echo "Apache Kafka $version is in $cache/$name"
      return 0
    fi
    echo "  could not move it to $cache/$name (remove that folder if an earlier download left it half done)" >&2
    break
  done
  rm -rf "$work"
  rmdir "$cache" "$(dirname "$cache")" 2>/dev/null || true
  return 1
}

_fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 --connect-timeout 20 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --tries=3 --timeout=20 -O "$2" "$1"
  else
    echo "  neither curl nor wget is installed" >&2
    return 1
  fi
}

# Apache's .sha512 files are `gpg --print-md SHA512` output: "name.tgz: 0A1B2C3D 4E5F... " in groups of eight, upper
# case, wrapped over lines; sha512sum's "hash  name" is accepted too. The hash is the run of exactly 128 hex digits left
# once the file name and all whitespace are gone.
_sha512_matches() {
  local file=$1 published=$2 expected actual content
  content=$(cat "$published")
  content=${content//"$(basename "$file")"/}
  expected=$(printf '%s' "$content" | tr -d ' \t\r\n' | grep -o -E '[0-9A-Fa-f]+' | awk 'length($0) == 128' | head -n 1 | tr 'A-F' 'a-f')
  if [ -z "$expected" ]; then
    echo "  no SHA-512 found in $(basename "$published")" >&2
    return 1
  fi
  actual=$(sha512sum "$file" | cut -d ' ' -f 1)
  [ "$actual" = "$expected" ]
}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required (dotnet on PATH)." >&2
  exit 1
fi
