#!/bin/bash
# udg-send --help: every option, short and long, one line each, in the
# order of udg-send(1), and the same set of long options as the page.
# shellcheck source-path=SCRIPTDIR source=testlib.sh
. "$(dirname "$0")/testlib.sh"
page=$top_srcdir/man/udg-send.1
[ -r "$page" ] || { echo "ERROR: $page not found"; exit 99; }

tmo "$SEND" --help >"$T/help" 2>"$T/err"
status "--help: exit 0" 0 $?
is "--help: nothing on stderr" "" "$(cat "$T/err")"
like "--help: the usage line first" "usage: udg-send *" "$(head -n 1 "$T/help")"

# Option lines: "  -x, --long[=ARG]  text".
grep -E '^  -[[:alnum:]], --[a-z-]+' "$T/help" > "$T/lines"
bad_lines=$(grep -vE '^  -[[:alnum:]], --[a-z-]+(=[A-Z]+)? +[^ ].*$' \
    "$T/lines")
is "--help: each option line has short, long and a description" "" \
    "$bad_lines"
sed -E 's/^  -[[:alnum:]], --([a-z-]+).*/\1/' "$T/lines" > "$T/hlong"
# The page's option list: ".It Fl x , Fl Fl long ..." in its order.
sed -n '/^\.Sh DESCRIPTION/,/^\.Sh /p' "$page" |
    sed -nE 's/^\.It Fl [[:alnum:]] .*, Fl Fl ([a-z-]+).*/\1/p' > "$T/mlong"
true_that "the page lists options" [ -s "$T/mlong" ]
same "--help and udg-send(1): the same long options, in the same order" \
    "$T/mlong" "$T/hlong"
for o in $(cat "$T/hlong"); do
	grep -q -- "Fl Fl $o" "$page" || bad "--$o of --help is not in udg-send(1)"
done
for o in $(cat "$T/mlong"); do
	grep -q -- "--$o" "$T/help" || bad "--$o of udg-send(1) is not in --help"
done
# Short and long forms agree with the page.
sed -E 's/^  -([[:alnum:]]), --([a-z-]+).*/\1 \2/' "$T/lines" > "$T/hpairs"
sed -n '/^\.Sh DESCRIPTION/,/^\.Sh /p' "$page" |
    sed -nE 's/^\.It Fl ([[:alnum:]]) .*, Fl Fl ([a-z-]+).*/\1 \2/p' \
    > "$T/mpairs"
same "--help and udg-send(1): each long option has the same short one" \
    "$T/mpairs" "$T/hpairs"
# Every long option is one udg-send knows.
for o in $(cat "$T/hlong"); do
	tmo "$SEND" "--$o" >/dev/null 2>"$T/err"
	true_that "--$o is known to udg-send" \
	    eval '! grep -q "unknown option" "$T/err"'
done
tmo "$SEND" -h > "$T/h2"
same "-h is --help" "$T/help" "$T/h2"

done_testing
