#!/usr/bin/env bash
# test_app_test.sh — `decc app test DIR`: an iApp run locally in the
# worker's sandbox with mock protected data (JSON protected here in v2 or
# legacy, or a ready zip), args and requester secrets: the app's stdout,
# the computed.json check and the result files; a failing app (exit 3,
# no computed.json) gets its cause, its stderr and exit 1.
# The sandbox needs root: without it the test exits 77 (SKIP) and fails
# under CI=true.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root "the enclave sandbox needs root"
export DECC_HOME="$T/home"
cd "$T"
echo '{"email":"alice@example.com","score":42}' >rec.json

# The scaffolded app reads the protected data and the args.
"$DECC" app init good >/dev/null
check_rc "good" 0 "$DECC" app test good --protected-data rec.json --args "hello world" -o out1
has "good stdout" 'done: {"entries":2,"emailDomain":"example.com","args":"hello world"}'
has "computed ok" "computed.json ok"
has "result files" "result.json"
[ "$(cat out1/result.json)" = '{"entries":2,"emailDomain":"example.com","args":"hello world"}' ] && ok || ko "extracted: $(cat out1/result.json 2>&1)"
check_rc "good legacy" 0 "$DECC" app test good --protected-data rec.json --format legacy -o out2
grep -q '"emailDomain":"example.com"' out2/result.json && ok || ko "legacy: $(cat out2/result.json 2>&1)"
check_rc "no data" 0 "$DECC" app test good -o out3
grep -q '"entries":0' out3/result.json && ok || ko "no data: $(cat out3/result.json 2>&1)"
check_rc "bad format" 2 "$DECC" app test good --protected-data rec.json --format v9

# A ready protected-data zip (legacy layout: one raw entry per key) is used
# as is.
python3 -c 'import zipfile; z=zipfile.ZipFile("pd.zip","w"); z.writestr("email","bob@example.org"); z.close()'
check_rc "zip" 0 "$DECC" app test good --protected-data pd.zip -o out5
grep -q '"emailDomain":"example.org"' out5/result.json && ok || ko "zip: $(cat out5/result.json 2>&1)"

# Requester secrets reach the app's environment, never the command line.
"$DECC" app init sec >/dev/null
cat >sec/run.sh <<'EOF'
#!/bin/sh
printf '{"s1":"%s","s2":"%s"}' "$IEXEC_REQUESTER_SECRET_1" "$IEXEC_REQUESTER_SECRET_2" >"$IEXEC_OUT/r.json"
printf '{"deterministic-output-path":"%s/r.json"}' "$IEXEC_OUT" >"$IEXEC_OUT/computed.json"
EOF
printf 'first' >s1.txt; printf 'second' >s2.txt
check_rc "secrets" 0 "$DECC" app test sec --secret-file s1.txt --secret-file s2.txt -o out4
[ "$(cat out4/r.json)" = '{"s1":"first","s2":"second"}' ] && ok || ko "secrets: $(cat out4/r.json 2>&1)"
check_rc "secret on argv" 2 "$DECC" app test sec --secret x

# A failing app: cause, exit code, stderr; exit 1.
"$DECC" app init bad >/dev/null
cat >bad/run.sh <<'EOF'
#!/bin/sh
echo "boom: no field 'age'" >&2
exit 3
EOF
check_rc "failing app" 1 "$DECC" app test bad --protected-data rec.json
has "cause" "APP_EXIT_CODE"
has "exit code" "exit code 3"
has "stderr" "boom: no field 'age'"
# No computed.json: the check fails.
"$DECC" app init nocomp >/dev/null
cat >nocomp/run.sh <<'EOF'
#!/bin/sh
echo 42 >"$IEXEC_OUT/result.txt"
EOF
check_rc "no computed.json" 1 "$DECC" app test nocomp
has "computed invalid" "COMPUTED_FILE_INVALID"
check_rc "not an app" 1 "$DECC" app test "$T/nothing"

finish
