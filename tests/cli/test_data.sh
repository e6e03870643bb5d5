#!/usr/bin/env bash
# test_data.sh — `decc data`: validate / schema / serialize a JSON object
# with $file, $base64 and $i128 values, read values back with `get`, list
# and extract zips, refuse $file escapes and hostile zips (built here byte
# by byte) without writing outside the target directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"


# ---- inputs ---------------------------------------------------------------
mkdir -p "$T/in/files"
printf '%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%%%EOF\n' >"$T/in/files/doc.pdf"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$T/in/files/pic.png"
printf 'secret outside\n' >"$T/outside.txt"
cat >"$T/in/data.json" <<'EOF'
{"email":"a@b.c","age":42,"ok":true,
 "nested":{"doc":{"$file":"files/doc.pdf"},"pic":{"$file":"./files/pic.png"},"raw":{"$base64":"AAEC"}},
 "big":{"$i128":"-170141183460469231731687303715884105728"},"pi":3.25,"s":"h\u00e9"}
EOF

# ---- validate / schema ------------------------------------------------------
run_ok "validate v2" "$DECC" data validate "$T/in/data.json"
refuse "validate legacy (bigint)" 1 "$DECC" data validate --format legacy "$T/in/data.json"
grep -q 'Unsupported bigint data (at "big")' "$T/err" && ok || ko "legacy bigint message"
out=$("$DECC" data schema "$T/in/data.json")
[ "$out" = '{"email":"string","age":"f64","ok":"bool","nested":{"doc":"application/pdf","pic":"image/png","raw":"application/octet-stream"},"big":"i128","pi":"f64","s":"string"}' ] && ok || ko "v2 schema: $out"
echo '{"2":1,"b":{"x":true},"1":"s"}' >"$T/in/order.json"
out=$("$DECC" data schema --format legacy "$T/in/order.json")
[ "$out" = '{"1":"string","2":"number","b":{"x":"boolean"}}' ] && ok || ko "legacy schema order: $out"
out=$("$DECC" --json data validate "$T/in/data.json")
[ "$out" = '{"valid":true,"format":"v2"}' ] && ok || ko "validate --json: $out"
echo '{"ok":1,"nested":{"bad key":1}}' >"$T/in/bad.json"
refuse "invalid key" 1 "$DECC" data validate "$T/in/bad.json"
grep -qx 'decc: Unsupported special character in key (at "nested.bad key")' "$T/err" && ok || ko "invalid key message: $(cat "$T/err")"
expect_rc "invalid key --json" 1 "$DECC" --json data validate "$T/in/bad.json"
grep -q '"valid":false' "$T/out" && grep -q '"path":"nested.bad key"' "$T/out" && ok || ko "invalid --json: $(cat "$T/out")"
echo '{"x":0.5}' >"$T/in/float.json"
refuse "legacy float" 1 "$DECC" data serialize --format legacy "$T/in/float.json" -o "$T/float.zip"
grep -q 'Unsupported non safe integer number (at "x")' "$T/err" && ok || ko "legacy float message"
[ ! -e "$T/float.zip" ] && ok || ko "no zip for invalid data"

# ---- $file escapes ------------------------------------------------------------
echo '{"f":{"$file":"../outside.txt"}}' >"$T/in/esc1.json"
refuse '$file ..' 1 "$DECC" data schema "$T/in/esc1.json"
echo "{\"f\":{\"\$file\":\"$T/outside.txt\"}}" >"$T/in/esc2.json"
refuse '$file absolute' 1 "$DECC" data schema "$T/in/esc2.json"
ln -s "$T/outside.txt" "$T/in/files/link"
echo '{"f":{"$file":"files/link"}}' >"$T/in/esc3.json"
refuse '$file symlink escape' 1 "$DECC" data schema "$T/in/esc3.json"
grep -q 'outside its directory' "$T/err" && ok || ko "symlink escape message"

# ---- serialize / get / list / extract -----------------------------------------
run_ok "serialize v2" "$DECC" data serialize "$T/in/data.json" -o "$T/v2.zip"
ls "$T" | grep -q tmp && ko "temporary file left" || ok
"$DECC" data get "$T/v2.zip" nested.doc --type application/pdf >"$T/got.pdf"
cmp -s "$T/got.pdf" "$T/in/files/doc.pdf" && ok || ko "get binary"
[ "$("$DECC" data get "$T/v2.zip" email --type string)" = "a@b.c" ] && ok || ko "get string"
[ "$("$DECC" data get "$T/v2.zip" age --type f64)" = "42" ] && ok || ko "get f64"
[ "$("$DECC" data get "$T/v2.zip" pi --type f64 --mode borsh)" = "3.25" ] && ok || ko "get f64 borsh"
[ "$("$DECC" data get "$T/v2.zip" ok --type bool)" = "true" ] && ok || ko "get bool"
[ "$("$DECC" data get "$T/v2.zip" big --type i128)" = "-170141183460469231731687303715884105728" ] && ok || ko "get i128"
[ "$("$DECC" --json data get "$T/v2.zip" nested.raw)" = '{"path":"nested.raw","type":"application/octet-stream","kind":"bytes","value":{"base64":"AAEC"}}' ] && ok || ko "get --json bytes"
refuse "get legacy type in borsh mode" 1 "$DECC" data get "$T/v2.zip" age --type number --mode borsh
grep -qx 'decc: Unsupported schema "number" in "borsh" mode' "$T/err" && ok || ko "mode message"
refuse "get missing" 1 "$DECC" data get "$T/v2.zip" nested --type string
grep -qx 'decc: Failed to load path nested' "$T/err" && ok || ko "missing message"
"$DECC" data list "$T/v2.zip" >"$T/list"
[ "$(awk '{print $2}' "$T/list" | tr '\n' ' ')" = "email age ok nested/ nested/doc nested/pic nested/raw big pi s " ] && ok || ko "list order: $(cat "$T/list")"
run_ok "extract" "$DECC" data extract "$T/v2.zip" -o "$T/x"
cmp -s "$T/x/nested/pic" "$T/in/files/pic.png" && ok || ko "extracted content"
refuse "extract twice" 1 "$DECC" data extract "$T/v2.zip" -o "$T/x"
printf '{"age":7,"s":"x","ok":false}' >"$T/in/l.json"
run_ok "serialize legacy to stdout" bash -c "'$DECC' data serialize --format legacy '$T/in/l.json' >'$T/l.zip'"
[ "$("$DECC" data get "$T/l.zip" age --type number --mode legacy)" = "7" ] && ok || ko "legacy number"
[ "$("$DECC" data get "$T/l.zip" s --type string)" = "x" ] && ok || ko "legacy string (optimistic fallback)"
[ "$("$DECC" data get "$T/l.zip" ok --type boolean --mode legacy)" = "false" ] && ok || ko "legacy boolean"
# atomic: a failing serialize leaves an existing file untouched
cp "$T/v2.zip" "$T/keep.zip"
refuse "serialize over existing, invalid" 1 "$DECC" data serialize "$T/in/bad.json" -o "$T/keep.zip"
cmp -s "$T/keep.zip" "$T/v2.zip" && ok || ko "existing output untouched"

# ---- hostile zips (empty entries: CRC 0, so bash can build them) -------------
le16() { printf '\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)); }
le32() { printf '%s%s' "$(le16 $(($1 & 65535)))" "$(le16 $((($1 >> 16) & 65535)))"; }
# mkzip OUT NAME:MODE... (MODE = unix mode in octal, 0 = none)
mkzip() {
  local out=$1; shift
  local loc="" cd="" off=0 n=0
  for spec in "$@"; do
    local name=${spec%:*} mode=$((8#${spec##*:})) nl
    nl=$(printf "$name" | wc -c) # names go through printf (escapes)
    local lh="\\x50\\x4b\\x03\\x04$(le16 20)$(le16 0)$(le16 0)$(le16 0)$(le16 33)$(le32 0)$(le32 0)$(le32 0)$(le16 "$nl")$(le16 0)"
    loc+="$lh$name"
    cd+="\\x50\\x4b\\x01\\x02$(le16 798)$(le16 20)$(le16 0)$(le16 0)$(le16 0)$(le16 33)$(le32 0)$(le32 0)$(le32 0)$(le16 "$nl")$(le16 0)$(le16 0)$(le16 0)$(le16 0)$(le32 $((mode << 16)))$(le32 "$off")$name"
    off=$((off + 30 + nl))
    n=$((n + 1))
  done
  printf "$loc" >"$out"
  local cdsize
  printf "$cd" >"$out.cd"
  cdsize=$(stat -c %s "$out.cd")
  cat "$out.cd" >>"$out"
  rm -f "$out.cd"
  printf "\\x50\\x4b\\x05\\x06$(le16 0)$(le16 0)$(le16 $n)$(le16 $n)$(le32 "$cdsize")$(le32 "$off")$(le16 0)" >>"$out"
}
mkdir -p "$T/sandbox"
mkzip "$T/good.zip" "a/:40755" "a/empty:100644"
run_ok "bash-built zip extracts" "$DECC" data extract "$T/good.zip" -o "$T/sandbox/good"
[ -f "$T/sandbox/good/a/empty" ] && ok || ko "good zip content"
i=0
for evil in "../evil:0" "a/../../evil:0" "/tmp/decc_cli_evil_$$:0" 'a\\evil:0' "lnk:120777" "dev:20644" "fifo:10644"; do
  i=$((i + 1))
  mkzip "$T/evil$i.zip" "ok:0" "$evil"
  refuse "hostile zip $evil" 1 "$DECC" data extract "$T/evil$i.zip" -o "$T/sandbox/t$i"
  grep -Eq 'path component|absolute path|backslash|symlink, device' "$T/err" && ok || ko "reason for $evil: $(cat "$T/err")"
  [ ! -e "$T/sandbox/t$i" ] && ok || ko "target left behind for $evil"
done
[ ! -e "$T/evil" ] && [ ! -e "/tmp/decc_cli_evil_$$" ] && ok || ko "something written outside"
[ "$(ls "$T/sandbox")" = "good" ] && ok || ko "sandbox polluted: $(ls "$T/sandbox")"

# ---- usage -------------------------------------------------------------------
run_ok "help" "$DECC" data --help
refuse "usage error" 2 "$DECC" data serialize
refuse "unknown format" 2 "$DECC" data validate --format v3 "$T/in/data.json"

finish
