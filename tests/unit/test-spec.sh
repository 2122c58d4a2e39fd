#!/bin/bash
# The specification, interfaces/org.example.Resource1.xml (the argument), is
# well-formed XML and valid D-Bus introspection data, so that every binding
# generator and strict parser accepts it as it is. TAP.
set -uo pipefail
. "$(dirname "$0")/../lib/tap.sh"
spec=$1
dtd=/usr/share/xml/dbus-1/introspect.dtd     # libdbus-1-dev
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..5"
# xmllint (libxml2) is a strict parser: any well-formedness error, such as a
# double hyphen inside a comment, fails; so does any warning here.
check "xmllint parses it, without an error or a warning" \
        'xmllint --noout --nonet "$spec" 2>"$tmp/err" && ! [ -s "$tmp/err" ] || { sed "s/^/# /" "$tmp/err"; false; }'
check "valid against the D-Bus introspection DTD ($dtd)" \
        'xmllint --noout --nonet --dtdvalid "$dtd" "$spec" 2>"$tmp/err" || { sed "s/^/# /" "$tmp/err"; false; }'
# gdbus-codegen parses with Python's expat (and runs at build time too).
check "expat (gdbus-codegen's parser) parses it" \
        'python3 -c "import sys, xml.parsers.expat as e; e.ParserCreate().ParseFile(open(sys.argv[1], \"rb\"))" "$spec" \
                2>"$tmp/err" || { tail -1 "$tmp/err" | sed "s/^/# /"; false; }'
check "one interface, org.example.Resource1, with methods, a signal and properties" \
        '[ "$(xmllint --nonet --xpath "count(/node/interface[@name=\"org.example.Resource1\"]/method)>0 and count(/node/interface)=1 and count(//signal)>0 and count(//property)>0" "$spec")" = true ]'
# The check above would catch what once broke the file: a double hyphen (an
# option name) in a comment. Shown on a copy with one put back.
sed '0,/^  org\.example\.Resource1: /s//  org.example.Resource1 (resource1d --max-pending): /' "$spec" > "$tmp/broken.xml"
check "xmllint refuses a copy with a double hyphen in a comment" \
        '! cmp -s "$spec" "$tmp/broken.xml" && ! xmllint --noout --nonet "$tmp/broken.xml" 2>"$tmp/err" && grep -q "Double hyphen within comment" "$tmp/err"'
tap_done
