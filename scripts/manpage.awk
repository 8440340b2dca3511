# SPDX-License-Identifier: MIT
# The one source of every manual page and every --help text (docs/man/*.txt,
# format in docs/man/README.md), turned into:
#   mode=man out=DIR   one roff page per file, DIR/NAME.SECTION
#   mode=c             a C table of the help texts (src/help/pages.c)
#   mode=help key=K    the help text of page K ("cebgate validate"), for tests
#   mode=list          "NAME SECTION HELP-KEY" per page
# POSIX awk (mawk): no gawk extensions.

function fail(msg) {
	print "manpage: " msg > "/dev/stderr"
	failed = 1
	exit 2
}

# One page's header and sections into P_* and S_* (lines are in LINE[file, i]).
function parse(f,    i, n, l, k, v) {
	P_name = ""; P_section = ""; P_help = ""; P_summary = ""; P_commands = ""
	NS = 0
	n = NLINE[f]
	for (i = 1; i <= n; i++) {
		l = LINE[f, i]
		if (l == "")
			break
		k = l; sub(/:.*/, "", k)
		v = l; sub(/^[^:]*:[ \t]*/, "", v)
		if (k == "name") P_name = v
		else if (k == "section") P_section = v
		else if (k == "help") P_help = v
		else if (k == "summary") P_summary = v
		else if (k == "commands") P_commands = v
		else fail(f ":" i ": unknown header \"" k "\"")
	}
	if (P_name == "" || P_section == "" || P_summary == "")
		fail(f ": name, section and summary are required")
	for (; i <= n; i++) {
		l = LINE[f, i]
		if (l ~ /^# /) {
			NS++
			S_title[NS] = substr(l, 3)
			S_first[NS] = i + 1
			S_last[NS] = i
		} else if (NS == 0 && l != "") {
			fail(f ":" i ": text before the first \"# SECTION\" line")
		} else if (NS > 0) {
			S_last[NS] = i
		}
	}
	# Trailing blank lines belong to no block.
	for (k = 1; k <= NS; k++)
		while (S_last[k] >= S_first[k] && LINE[f, S_last[k]] == "")
			S_last[k]--
}

function section(title,    k) {
	for (k = 1; k <= NS; k++)
		if (S_title[k] == title)
			return k
	return 0
}

# The blocks of section s (separated by blank lines) into B_first/B_last, NB.
function blocks(f, s,    i, open) {
	NB = 0; open = 0
	for (i = S_first[s]; i <= S_last[s]; i++) {
		if (LINE[f, i] == "") {
			open = 0
		} else if (!open) {
			NB++; B_first[NB] = i; B_last[NB] = i; open = 1
		} else {
			B_last[NB] = i
		}
	}
}

# "list" (terms at column 0, their text indented by a tab), "verbatim" (two
# spaces), else "para".
function kind(f, b) {
	if (LINE[f, B_first[b]] ~ /^  /)
		return "verbatim"
	if (B_last[b] > B_first[b] && LINE[f, B_first[b] + 1] ~ /^\t/)
		return "list"
	return "para"
}

function spaces(n,    s) {
	s = ""
	while (n-- > 0)
		s = s " "
	return s
}

# ---------------------------------------------------------------- --help text

function help_block(f, b, indent,    i, l, k, t, out, w) {
	out = ""
	k = kind(f, b)
	w = 14
	for (i = B_first[b]; i <= B_last[b]; i++) {
		l = LINE[f, i]
		if (k != "list") {
			if (k == "verbatim")
				sub(/^  /, "", l)
			out = out indent l "\n"
		} else if (l !~ /^\t/) {
			t = l
			if (length(t) > w || i == B_last[b] || LINE[f, i + 1] !~ /^\t/) {
				out = out indent t "\n"
				t = ""
			}
		} else {
			sub(/^\t/, "", l)
			if (t != "") {
				out = out indent sprintf("%-" w "s ", t) l "\n"
				t = ""
			} else {
				out = out indent spaces(w + 1) l "\n"
			}
		}
	}
	return out
}

function help_text(f,    s, b, i, out, first, ff) {
	parse(f)
	out = ""
	s = section("SYNOPSIS")
	if (s == 0)
		fail(f ": a page with help: needs a SYNOPSIS")
	first = 1
	for (i = S_first[s]; i <= S_last[s]; i++) {
		if (LINE[f, i] == "")
			continue
		out = out (first ? "usage: " : "       ") LINE[f, i] "\n"
		first = 0
	}
	if (P_commands != "") {
		out = out "\ncommands:\n"
		for (ff = 1; ff <= NFILES; ff++)
			if (index(HELPKEY[ff], P_commands " ") == 1)
				out = out sprintf("  %-10s %s\n", substr(HELPKEY[ff], length(P_commands) + 2), SUMMARY[ff])
		out = out "\n"
		parse(f)
	}
	s = section("DESCRIPTION")
	if (s != 0) {
		blocks(f, s)
		if (NB > 0)
			out = out help_block(f, 1, "  ")
	}
	s = section("OPTIONS")
	if (s != 0) {
		blocks(f, s)
		for (b = 1; b <= NB; b++)
			out = out help_block(f, b, "  ")
	}
	s = section("EXIT STATUS")
	if (s != 0) {
		first = 1
		for (i = S_first[s]; i <= S_last[s]; i++) {
			if (LINE[f, i] == "")
				continue
			out = out (first ? "exit status: " : "             ") LINE[f, i] "\n"
			first = 0
		}
	}
	return out
}

# ---------------------------------------------------------------- roff

# Text for roff: backslashes and dashes escaped, no line taken for a request.
function roff(s,    i, c, out) {
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\\")
			out = out "\\e"
		else if (c == "-")
			out = out "\\-"
		else
			out = out c
	}
	if (out ~ /^[.']/)
		out = "\\&" out
	return out
}

function man_block(f, b,    i, l, k, out) {
	out = ""
	k = kind(f, b)
	if (k == "verbatim") {
		out = ".PP\n.nf\n.RS 4\n"
		for (i = B_first[b]; i <= B_last[b]; i++) {
			l = LINE[f, i]
			sub(/^  /, "", l)
			out = out roff(l) "\n"
		}
		return out ".RE\n.fi\n"
	}
	if (k == "para") {
		out = ".PP\n"
		for (i = B_first[b]; i <= B_last[b]; i++)
			out = out roff(LINE[f, i]) "\n"
		return out
	}
	for (i = B_first[b]; i <= B_last[b]; i++) {
		l = LINE[f, i]
		if (l ~ /^\t/) {
			sub(/^\t/, "", l)
			out = out roff(l) "\n"
		} else if (i > B_first[b] && LINE[f, i - 1] !~ /^\t/) {
			out = out ".TQ\n\\fB" roff(l) "\\fR\n"
		} else {
			out = out ".TP\n\\fB" roff(l) "\\fR\n"
		}
	}
	return out
}

function man_page(f,    s, b, i, out, ff, up, name) {
	parse(f)
	up = toupper(P_name)
	out = ".\\\" Generated from docs/man/" P_name "." P_section ".txt by scripts/manpage: edit that file.\n"
	out = out ".TH " roff(up) " " P_section " \"\" \"" PACKAGE " " VERSION "\" \"cebgate manual\"\n"
	out = out ".SH NAME\n" roff(P_name) " \\- " roff(P_summary) "\n"
	for (s = 1; s <= NS; s++) {
		out = out ".SH " roff(S_title[s]) "\n"
		if (S_title[s] == "SYNOPSIS") {
			out = out ".nf\n"
			for (i = S_first[s]; i <= S_last[s]; i++)
				if (LINE[f, i] != "")
					out = out roff(LINE[f, i]) "\n"
			out = out ".fi\n"
			continue
		}
		blocks(f, s)
		for (b = 1; b <= NB; b++)
			out = out man_block(f, b)
		if (S_title[s] == "DESCRIPTION" && P_commands != "") {
			out = out ".SH COMMANDS\n"
			for (ff = 1; ff <= NFILES; ff++) {
				if (index(HELPKEY[ff], P_commands " ") != 1)
					continue
				name = substr(HELPKEY[ff], length(P_commands) + 2)
				out = out ".TP\n\\fB" roff(name) "\\fR\n" roff(SUMMARY[ff]) \
					" (" roff(PAGENAME[ff]) "(" SECTIONOF[ff] "))\n"
			}
		}
	}
	return out
}

# ---------------------------------------------------------------- C table

function cstr(s,    i, c, out) {
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\\" || c == "\"")
			out = out "\\" c
		else if (c == "?")
			out = out "\\?"
		else if (c == "\n")
			out = out "\\n\"\n\t  \""
		else
			out = out c
	}
	return "\"" out "\""
}

function c_table(    ff, n) {
	print "/* Generated from docs/man/NAME.SECTION.txt by scripts/manpage: edit those files. */"
	print "#include \"help.h\""
	print ""
	print "const struct help_page help_pages[] = {"
	n = 0
	for (ff = 1; ff <= NFILES; ff++) {
		if (HELPKEY[ff] == "")
			continue
		print "\t{ " cstr(HELPKEY[ff]) ", " cstr(SUMMARY[ff]) ","
		print "\t  " cstr(help_text(FILES[ff])) " },"
		n++
	}
	print "};"
	print "const size_t help_pages_count = " n ";"
}

{
	if (FNR == 1) {
		NFILES++
		FILES[NFILES] = FILENAME
	}
	NLINE[FILENAME] = FNR
	LINE[FILENAME, FNR] = $0
}

END {
	if (failed)
		exit 2
	for (ff = 1; ff <= NFILES; ff++) {
		parse(FILES[ff])
		HELPKEY[ff] = P_help
		SUMMARY[ff] = P_summary
		PAGENAME[ff] = P_name
		SECTIONOF[ff] = P_section
		if (FILES[ff] !~ ("(^|/)" P_name "\\." P_section "\\.txt$"))
			fail(FILES[ff] ": name and section must be the file's name")
	}
	if (mode == "c") {
		c_table()
	} else if (mode == "man") {
		for (ff = 1; ff <= NFILES; ff++) {
			page = out "/" PAGENAME[ff] "." SECTIONOF[ff]
			printf "%s", man_page(FILES[ff]) > page
			close(page)
		}
	} else if (mode == "help") {
		for (ff = 1; ff <= NFILES; ff++)
			if (HELPKEY[ff] == key) {
				printf "%s", help_text(FILES[ff])
				exit 0
			}
		fail("no page has help: " key)
	} else if (mode == "list") {
		for (ff = 1; ff <= NFILES; ff++)
			print PAGENAME[ff], SECTIONOF[ff], HELPKEY[ff]
	} else {
		fail("mode must be man, c, help or list")
	}
}
