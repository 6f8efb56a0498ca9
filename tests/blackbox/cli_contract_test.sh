#!/usr/bin/env bash
# cli_contract_test.sh: black-box tests of `accord service` and `accord contract` on a fresh
# demo database: tables, show, errors and exit statuses, and the RFC 4180 CSV export.
set -u
cd "$(dirname "$0")/../.."
. tests/blackbox/lib.sh
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB="$WORK/cli.db"
A=("$ACCORD_BIN" --db "$DB")

"${A[@]}" demo >/dev/null 2>&1
check "demo creates the organisation" test $? -eq 0

# run NAME STATUS CMD...: runs an accord command into $WORK/out and $WORK/err; ok on STATUS.
run() {
    local name=$1 want=$2 got
    shift 2
    "${A[@]}" "$@" >"$WORK/out" 2>"$WORK/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok "$name"; else fail "$name" "exit $got, want $want: $(head -c 300 "$WORK/err")"; fi
}

# --- help ---
for c in service contract; do
    "$ACCORD_BIN" "$c" --help >"$WORK/help.out" 2>&1
    check "accord $c --help exits 0 and says usage" grep -qi usage "$WORK/help.out"
    "$ACCORD_BIN" "$c" >/dev/null 2>&1
    check "accord $c without a subcommand exits 2" test $? -eq 2
done
"$ACCORD_BIN" --help | grep -q "^  service " && "$ACCORD_BIN" --help | grep -q "^  contract "
check "accord --help names service and contract" test $? -eq 0

# --- accord service ---
run "service list exits 0" 0 service list
check "service list prints its header" grep -q "^ID	NAME	PROVIDER	POINT PERSON	DEPUTY	STATE	ACTIVE CONTRACTS$" "$WORK/out"
check "service list shows the demo catalogue" test "$(wc -l <"$WORK/out")" -ge 2

run "service add with every option" 0 service add --provider finance --name "Expense audit" \
    --point-person farid.haddad@example.org --deputy freya.nilsen@example.org \
    --description "Finance checks expense claims" --process "Travel to reimbursement" \
    --outcome "Customers are invoiced correctly"
check "service add prints the new service's line" \
    grep -q "^[0-9][0-9]*	Expense audit	Finance	Farid Haddad	Freya Nilsen	active	0$" "$WORK/out"
sid=$(cut -f1 "$WORK/out")
run "service show by name, in any case" 0 service show "EXPENSE AUDIT"
check "service show prints every field" \
    bash -c "grep -q '^id: *$sid$' '$WORK/out' && grep -q '^provider: *Finance' '$WORK/out' &&
             grep -q '^deputy: *Freya Nilsen$' '$WORK/out' && grep -q '^process: *Travel to reimbursement$' '$WORK/out' &&
             grep -q '^outcome: *Customers are invoiced correctly$' '$WORK/out'"
run "service show by id" 0 service show "$sid"
check "service show by id finds the same service" grep -q "^name: *Expense audit$" "$WORK/out"
run "service list --provider filters by department" 0 service list --provider Finance
check "only Finance services are listed" bash -c "tail -n +2 '$WORK/out' | cut -f3 | sort -u | grep -qx Finance &&
    test \"\$(tail -n +2 '$WORK/out' | cut -f3 | sort -u | wc -l)\" -eq 1"

run "a second service of that name in Finance exits 1" 1 service add --provider Finance \
    --name "expense AUDIT" --point-person farid.haddad@example.org
check "and says the name is taken" grep -q "already offers a service named" "$WORK/err"
run "another provider may use the name" 0 service add --provider IT --name "Expense audit" \
    --point-person ivan.petrov@example.org
run "show by a name two providers share exits 1" 1 service show "expense audit"
check "and asks for the id" grep -q "give its id" "$WORK/err"
run "service add without --point-person exits 2" 2 service add --provider Finance --name "X"
run "a point person of another department exits 2" 2 service add --provider Finance --name "X" \
    --point-person ivan.petrov@example.org
check "and names the option" grep -q "^accord: --point-person: 'Ivan Petrov' is not a member of 'Finance'$" "$WORK/err"
run "the deputy may not be the point person" 2 service add --provider Finance --name "X" \
    --point-person farid.haddad@example.org --deputy farid.haddad@example.org
check "and says so" grep -q "^accord: --deputy: " "$WORK/err"
run "an unknown department exits 2" 2 service add --provider Nowhere --name "X" --point-person 1
check "and says which" grep -q "no department 'Nowhere'" "$WORK/err"
run "an unknown person exits 2" 2 service add --provider Finance --name "X" --point-person nobody@example.org
run "a service that does not exist exits 1" 1 service show "No such service"
run "an unknown service command exits 2" 2 service frobnicate
run "an unknown option exits 2" 2 service list --colour
check "refused additions left no service behind" \
    bash -c "test \"\$(sqlite3 '$DB' \"SELECT COUNT(*) FROM service WHERE name = 'X'\")\" -eq 0"

# --- accord contract list ---
run "contract list exits 0" 0 contract list
check "contract list prints its header" grep -q "^ID	SERVICE	PROVIDER	CONSUMER	KIND	STATE	ACTIVE VERSION$" "$WORK/out"
total=$(($(wc -l <"$WORK/out") - 1))
check "contract list shows the demo contracts" test "$total" -ge 3
check "every contract is formal or informal" bash -c "tail -n +2 '$WORK/out' | cut -f5 | grep -qvx 'formal\|informal'; test \$? -eq 1"
check "an active contract names its active version" \
    bash -c "tail -n +2 '$WORK/out' | awk -F'\t' '\$6 == \"active\" && \$7 !~ /^[0-9]+$/ {bad=1} END {exit bad}'"
cid=$(tail -n +2 "$WORK/out" | awk -F'\t' '$6 == "active" {print $1; exit}')
svc=$(tail -n +2 "$WORK/out" | awk -F'\t' '$6 == "active" {print $2; exit}')
prov=$(tail -n +2 "$WORK/out" | awk -F'\t' '$6 == "active" {print $3; exit}')
run "contract list --state active" 0 contract list --state active
check "--state active lists only active contracts" \
    bash -c "tail -n +2 '$WORK/out' | cut -f6 | sort -u | grep -qx active && test \"\$(tail -n +2 '$WORK/out' | cut -f6 | sort -u | wc -l)\" -eq 1"
run "contract list --provider" 0 contract list --provider "$prov"
check "--provider lists only that provider's contracts" \
    bash -c "test \"\$(tail -n +2 '$WORK/out' | cut -f3 | grep -cvF '$prov')\" -eq 0 && grep -q '^$cid	' '$WORK/out'"
run "contract list --service" 0 contract list --service "$svc"
check "--service lists the contracts of that service" grep -q "^$cid	$svc	" "$WORK/out"
run "contract list --consumer of a department without contracts" 0 contract list --consumer 1 --provider 1
run "an unknown --state exits 2" 2 contract list --state signed
check "and lists the states" grep -q "draft, proposed, agreed, active, superseded, retired" "$WORK/err"
run "an unknown --provider exits 2" 2 contract list --provider Nowhere
run "an unknown --service exits 2" 2 contract list --service "No such service"
run "an option of another subcommand exits 2" 2 contract list --output x.csv

# --- accord contract show ---
run "contract show of an active contract" 0 contract show "$cid"
check "show names the service and both sides" \
    bash -c "grep -q '^service: *$svc$' '$WORK/out' && grep -q '^provider: *$prov$' '$WORK/out' && grep -q '^consumer: ' '$WORK/out'"
check "show prints both sides' expectations" \
    bash -c "grep -q '(provider side):$' '$WORK/out' && grep -q '(consumer side):$' '$WORK/out' && grep -q 'MEASURE *GROUP *TARGET *WEIGHT *NOTE' '$WORK/out'"
check "show prints the clocks and the calendar" \
    bash -c "grep -q '^response: *[0-9]* business minute' '$WORK/out' && grep -q '^resolution: *[0-9]* business minute' '$WORK/out' && grep -q '^calendar: ' '$WORK/out'"
check "show prints escalation, signatures, state and terms" \
    bash -c "grep -q '^escalation: ' '$WORK/out' && grep -q '^signatures:' '$WORK/out' && grep -q '^state: *active' '$WORK/out' && grep -q '^terms:' '$WORK/out'"
check "the terms are plain sentences" grep -q "^  .* answers .* requests within .*\.$" "$WORK/out"
run "contract show --version 1" 0 contract show "$cid" --version 1
check "--version picks the version" grep -q "^version 1: " "$WORK/out"
run "a version that does not exist exits 1" 1 contract show "$cid" --version 99
run "a contract that does not exist exits 1" 1 contract show 99999
run "a contract id that is not a number exits 2" 2 contract show credit
run "contract show without an id exits 2" 2 contract show
run "a bad --version exits 2" 2 contract show "$cid" --version first

# --- accord contract export ---
# A note with a comma, quotes and a line break must come out quoted, RFC 4180 style.
sqlite3 "$DB" "UPDATE contract_expectation SET note = 'Sales said \"fast, please\"' || char(10) || 'twice'
    WHERE rowid = (SELECT MIN(rowid) FROM contract_expectation)"
run "contract export to standard output" 0 contract export
cp "$WORK/out" "$WORK/stdout.csv"
check "the header row names the columns" bash -c "head -n 1 '$WORK/stdout.csv' | cmp -s - <(printf 'contract_id,service,provider,consumer,formal,version,state,side,measure,group,target,weight,note,calendar,response_minutes,resolution_minutes\r\n')"
# Parses RFC 4180: every record ends in CRLF, holds 16 fields; prints records and the note.
cat >"$WORK/csv.pl" <<'PERL'
local $/;
my $s = <STDIN>;
my ($records, @fields, $note) = (0);
pos($s) = 0;
while (pos($s) < length($s)) {
    $s =~ /\G(?:"((?:[^"]|"")*)"|([^",\r\n"]*))(,|\r\n)/gc or die "not RFC 4180 at byte " . pos($s) . "\n";
    my ($quoted, $plain, $end) = ($1, $2, $3);
    push @fields, defined $quoted ? $quoted =~ s/""/"/gr : $plain;
    next if $end eq ",";
    die "record $records has " . scalar(@fields) . " fields\n" if @fields != 16;
    $note = $fields[12] if $fields[12] =~ /fast/;
    $records++;
    @fields = ();
}
die "a last record without CRLF\n" if @fields;
print "$records\n$note\n";
PERL
perl "$WORK/csv.pl" <"$WORK/stdout.csv" >"$WORK/csv.out" 2>"$WORK/csv.err"
check "the export is RFC 4180: CRLF records of 16 fields" test $? -eq 0
check "a field with a comma, quotes and a line break survives quoting" \
    bash -c "sed -n 2,3p '$WORK/csv.out' | cmp -s - <(printf 'Sales said \"fast, please\"\ntwice\n')"
check "the note is written quoted with doubled quotes" grep -q '"Sales said ""fast, please""' "$WORK/stdout.csv"
rows=$(head -n 1 "$WORK/csv.out")
want=$(sqlite3 "$DB" "SELECT COUNT(*) FROM contract_expectation")
check "one row per expectation of every version ($rows of $want)" test "$rows" -eq "$((want + 1))"
check "rows carry the contract, formal, version, state and side" \
    grep -q "^$cid,[^,]*,[^,]*,[^,]*,\(true\|false\),[0-9]*,[a-z]*,provider," "$WORK/stdout.csv"
check "consumer-side expectations are exported too" grep -q ",consumer,[a-z]*,[a-z]*," "$WORK/stdout.csv"
check "rows end with both clocks in business minutes" grep -q $',[0-9]*,[0-9]*\r$' "$WORK/stdout.csv"
run "contract export --output FILE" 0 contract export --output "$WORK/file.csv"
check "the file holds the same CSV, and nothing goes to standard output" \
    bash -c "cmp -s '$WORK/file.csv' '$WORK/stdout.csv' && test ! -s '$WORK/out'"
check "no temporary file is left" test ! -e "$WORK/file.csv.tmp"
run "an unwritable --output exits 1" 1 contract export --output "$WORK/no/such/dir/x.csv"
check "and says which file" grep -q "cannot write '$WORK/no/such/dir/x.csv'" "$WORK/err"
run "an unknown contract command exits 2" 2 contract sign 1

summary
