#!/usr/bin/env python3
"""The source checks of scripts/check-tree.sh that are not formatting.

Usage: check_tree.py ROOT < paths   (paths relative to ROOT, NUL-separated)

Prints `file:line: what is wrong` for each violation and exits 1 when there is one.
Each check reads C++ with its comments and string literals told apart from code (see
split_cpp), so that a rule about code never fires on prose and a rule about comments never
fires on code.
"""

import os
import re
import sys

# ---- layering ---------------------------------------------------------------------------
# What each project folder builds on directly; a folder may include itself and everything
# below it (the transitive closure), nothing else. protocol/ is the sans-IO core.
LAYER_DEPS = {
    "protocol": [],
    "fakes": ["protocol"],
    "net": ["protocol"],
    "harness": ["protocol", "fakes", "net"],
    "reports": ["harness"],
    # load/ reads its duration flags with harness/'s parser (load/fanout_args.cpp).
    "load": ["harness", "net"],
    "bench": ["harness"],
    # fuzz/ reaches every parser of untrusted input, the JSON report reader of reports/ too.
    "fuzz": ["reports"],
    "apps": ["reports", "load", "harness", "net", "fakes", "protocol"],
}


def layer_closure(layer):
    allowed, todo = set(), [layer]
    while todo:
        name = todo.pop()
        if name in allowed:
            continue
        allowed.add(name)
        todo.extend(LAYER_DEPS[name])
    return allowed


ALLOWED = {layer: layer_closure(layer) for layer in LAYER_DEPS}

# Folders of tests/ that mirror no source folder, and the layer whose rules they follow:
# tests/support/ holds the loopback servers the net and harness tests share, built on net/.
# tests/programs/ holds small stand-ins for servers under test, built on net/.
TEST_ONLY_FOLDERS = {"support": "net", "programs": "net"}

# The sans-IO folders, which must stay free of I/O libraries and of anything nondeterministic.
PURE_LAYERS = ("protocol", "fakes")

FORBIDDEN_HEADERS = re.compile(
    r"^(?:boost/|asio(?:/|\.hpp)|yaml-cpp/|sys/socket\.h|sys/un\.h|sys/epoll\.h|sys/select\.h|"
    r"netinet/|arpa/|netdb\.h|poll\.h|winsock2?\.h|ws2tcpip\.h)")

# ---- determinism (protocol/ and fakes/) -------------------------------------------------
# Matched against code with comments and string contents blanked, except /dev/urandom,
# which only ever appears inside a string.
NONDETERMINISM = [
    (re.compile(r"\bsystem_clock\b"), "reads the wall clock (std::chrono::system_clock)"),
    (re.compile(r"\bsteady_clock\b"), "reads a real clock (std::chrono::steady_clock)"),
    (re.compile(r"\bhigh_resolution_clock\b"), "reads a real clock (std::chrono::high_resolution_clock)"),
    # The C time() always takes an argument; a method declared `time()` is not it.
    (re.compile(r"(?<![\w.>])time\s*\(\s*(?:nullptr|NULL|0|&\s*\w+)\s*\)"), "reads the wall clock (time())"),
    (re.compile(r"\bgettimeofday\b"), "reads the wall clock (gettimeofday)"),
    (re.compile(r"\bclock_gettime\b"), "reads a real clock (clock_gettime)"),
    (re.compile(r"\b(?:secure_)?getenv\b"), "reads the environment (getenv)"),
    (re.compile(r"\brandom_device\b"), "draws real randomness (std::random_device)"),
    (re.compile(r"(?<![\w.>])s?rand\s*\("), "draws unseeded randomness (rand/srand)"),
    (re.compile(r"\bRAND_(?:priv_)?bytes\b"), "draws real randomness (OpenSSL RAND_bytes)"),
]
URANDOM = re.compile(r"/dev/u?random\b")

# ---- comments that narrate history ------------------------------------------------------
# Each pattern is a whole phrase that tells the story of the code rather than what it does.
# Bare "later", "yet", "so far" and "no longer" are far more often about run time ("a later
# frame", "not yet acknowledged", "frames received so far", "is no longer current"), so they
# count only next to a word about building the code, or where only a story fits.
_DEV = r"(?:built|implemented|supported|written|wired|ported)"
NARRATION = [
    ("for now", re.compile(r"\bfor now\b", re.I)),
    ("so far", re.compile(rf"\b{_DEV}\s+so far\b|(?:^\s*|[.;:]\s+)so far\b", re.I)),
    ("yet", re.compile(rf"\bnot\s+(?:been\s+)?{_DEV}\s+yet\b|\bnot yet\s+(?:been\s+)?{_DEV}\b|\byet to be\s+{_DEV}\b",
                       re.I)),
    ("later", re.compile(rf"\b{_DEV}\s+later\b|\blater\)|,\s*later\s*,|"
                         r"\blater\s+(?:commit|change|patch|PR|pull request)s?\b", re.I)),
    ("no longer", re.compile(r"\bno longer\s+(?:needed|used|required|necessary|supported|claims?|exists?|works?|"
                             r"does|do|applies|apply|the case|relevant|built|called)\b", re.I)),
    ("used to", re.compile(r"\b(?:we|it|this|they|there)\s+used to\b|\bused to (?:be|live)\b", re.I)),
    ("previously", re.compile(r"(?:^\s*|[.;:]\s+)previously,|\b(?:we|it|this)\s+previously\b", re.I)),
    ("at the moment", re.compile(r"\bat the moment\b(?!\s+(?:of|when|that|it|the|a|an|we)\b)", re.I)),
    ("was changed", re.compile(r"\bwas changed\b", re.I)),
]
OPT_OUT = "tidy: ok"

# ---- hand-written starts_with / ends_with -----------------------------------------------
HELPER_DEFINITION = re.compile(r"\b(?:bool|auto)\s+(?:\w+::)*(\w*(?:starts|ends)_?with\w*)\s*(?:\(|=\s*\[)", re.I)
PREFIX_IDIOMS = [
    (re.compile(r"\.rfind\([^;]*?,\s*0\s*\)\s*[=!]=\s*0\b"), "rfind(x, 0) == 0 is a hand-written starts_with(x)"),
    (re.compile(r"\.compare\(\s*0\s*,"), "compare(0, n, x) is a hand-written starts_with(x)"),
]

CPP_EXTENSIONS = (".cpp", ".hpp", ".h", ".cc")
C_COMMENT_EXTENSIONS = CPP_EXTENSIONS + (".cpp.in", ".hpp.in", ".js", ".mjs")
HASH_COMMENT_EXTENSIONS = (".sh", ".bash", ".py", ".cmake")


def split_cpp(text):
    """Splits C++ (or JavaScript) source into per-line (code, code_without_strings, comment).

    Handles // and /* */ comments, "..." and '...' literals with escapes, raw strings
    R"d(...)d" and digit separators (1'000). Line structure is kept: element i is line i + 1.
    """
    code, bare, comment = [], [], []
    cur_code, cur_bare, cur_comment = [], [], []
    i, n = 0, len(text)
    state = "code"
    raw_end = ""

    def newline():
        code.append("".join(cur_code))
        bare.append("".join(cur_bare))
        comment.append("".join(cur_comment))
        cur_code.clear(), cur_bare.clear(), cur_comment.clear()

    while i < n:
        c = text[i]
        if c == "\n":
            if state == "line_comment":
                state = "code"
            newline()
            i += 1
            continue
        if state == "code":
            if text.startswith("//", i):
                state = "line_comment"
                i += 2
                continue
            if text.startswith("/*", i):
                state = "block_comment"
                i += 2
                continue
            raw = re.match(r'(?:u8|[uUL])?R"([^()\\\s]{0,16})\(', text[i:i + 24])
            if raw and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                state, raw_end = "raw", ")" + raw.group(1) + '"'
                cur_code.append(raw.group(0))
                cur_bare.append(raw.group(0))
                i += len(raw.group(0))
                continue
            if c == '"':
                state = "string"
            elif c == "'":
                previous = text[i - 1] if i > 0 else ""
                token = re.search(r"[\w']*$", text[max(0, i - 64):i]).group(0)
                if not (previous.isalnum() and token[:1].isdigit()):
                    state = "char"
            cur_code.append(c)
            cur_bare.append(c)
            i += 1
            continue
        if state == "line_comment":
            cur_comment.append(c)
            i += 1
            continue
        if state == "block_comment":
            if text.startswith("*/", i):
                state = "code"
                cur_code.append(" ")
                cur_bare.append(" ")
                i += 2
                continue
            cur_comment.append(c)
            i += 1
            continue
        if state == "raw":
            if text.startswith(raw_end, i):
                state = "code"
                cur_code.append(raw_end)
                cur_bare.append(raw_end)
                i += len(raw_end)
                continue
            cur_code.append(c)
            cur_bare.append(" ")
            i += 1
            continue
        # Inside a "..." or '...' literal.
        quote = '"' if state == "string" else "'"
        if c == "\\" and i + 1 < n and text[i + 1] != "\n":
            cur_code.append(text[i:i + 2])
            cur_bare.append("  ")
            i += 2
            continue
        cur_code.append(c)
        cur_bare.append(c if c == quote else " ")
        if c == quote:
            state = "code"
        i += 1
    newline()
    return code, bare, comment


def hash_comments(text, shell):
    """Per-line comment text of a shell, Python or CMake file ('' where there is none).

    A '#' outside quotes starts a comment; in shell only at the start of a word, so that
    $# and ${#x} stay code. Quotes are tracked within a line, which is enough for comments.
    """
    comments = []
    for number, line in enumerate(text.split("\n"), start=1):
        found = ""
        quote = None
        j = 0
        while j < len(line):
            c = line[j]
            if quote:
                if c == "\\" and quote == '"':
                    j += 2
                    continue
                if c == quote:
                    quote = None
            elif c in "\"'":
                quote = c
            elif c == "\\":
                j += 2
                continue
            elif c == "#" and (not shell or j == 0 or line[j - 1] in " \t;|&("):
                if not (number == 1 and line.startswith("#!")):
                    found = line[j + 1:]
                break
            j += 1
        comments.append(found)
    return comments


def is_shebang_script(path):
    try:
        with open(path, "rb") as f:
            first = f.readline(200)
    except OSError:
        return False
    return re.match(rb"#!.*\b(?:ba)?sh\b|#!.*\bpython", first) is not None


def is_python(path):
    with open(path, "rb") as f:
        return b"python" in f.readline(200)


class Checker:

    def __init__(self, root):
        self.root = root
        self.problems = []
        self.project_folders = set()  # top-level folders holding C++, to spot one the table lacks

    def report(self, path, line, message):
        self.problems.append(f"{path}:{line}: {message}")

    def read(self, path):
        with open(os.path.join(self.root, path), encoding="utf-8", errors="replace") as f:
            return f.read()

    # Layering and forbidden headers: every #include of a project folder.
    def check_includes(self, path, code):
        parts = path.split("/")
        top = parts[0]
        in_tests = top == "tests"
        # tests/<folder>/ builds on what <folder>/ builds on; files directly in tests/ are
        # shared by every test binary and so build on nothing.
        layer = parts[1] if in_tests and len(parts) > 2 else top
        if in_tests:
            layer = TEST_ONLY_FOLDERS.get(layer, layer)
        where = f"tests/{layer}/" if in_tests and layer != "tests" else f"{top}/"
        allowed = ALLOWED.get(layer, set())
        for number, line in enumerate(code, start=1):
            m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
            if not m:
                continue
            target = m.group(2)
            if top in PURE_LAYERS and FORBIDDEN_HEADERS.match(target):
                self.report(path, number, f"{top}/ is sans-IO and may not include <{target}> (Boost, yaml-cpp, sockets)")
                continue
            if m.group(1) != '"' or "/" not in target:
                continue
            included = target.split("/")
            folder = included[0]
            if folder == "tests":
                if not in_tests:
                    self.report(path, number, f'"{target}": {top}/ may not include test code')
                    continue
                folder = included[1] if len(included) > 2 else "tests"
                if folder == "tests":
                    continue
            if folder not in LAYER_DEPS:
                if folder in self.project_folders:
                    self.report(path, number, f'"{target}": {folder}/ is missing from the layering table (LAYER_DEPS '
                                f"in scripts/check_tree.py)")
                continue
            if folder not in allowed:
                builds_on = ", ".join(f"{name}/" for name in sorted(allowed)) or "nothing"
                self.report(path, number, f'"{target}": {where} may not include {folder}/ (it builds on {builds_on})')

    def check_determinism(self, path, code, bare):
        for number, (line, bare_line) in enumerate(zip(code, bare), start=1):
            for pattern, what in NONDETERMINISM:
                if pattern.search(bare_line):
                    self.report(path, number, f"{what}: {path.split('/')[0]}/ is deterministic, take it as an argument")
            if URANDOM.search(line):
                self.report(path, number, f"draws real randomness (/dev/urandom): {path.split('/')[0]}/ is "
                            "deterministic, take a seeded Rng")

    def check_prefix_helpers(self, path, bare):
        for number, line in enumerate(bare, start=1):
            m = HELPER_DEFINITION.search(line)
            if m:
                self.report(path, number, f"hand-written {m.group(1)}: use std::string_view::starts_with/ends_with")
            for pattern, what in PREFIX_IDIOMS:
                if pattern.search(line):
                    self.report(path, number, f"{what}: use std::string_view::starts_with")

    def check_narration(self, path, comments, marker):
        for number, comment in enumerate(comments, start=1):
            if not comment or OPT_OUT in comment:
                continue
            for phrase, pattern in NARRATION:
                if pattern.search(comment):
                    self.report(path, number, f'comment narrates history ("{phrase}"): say what is and why, in the '
                                f"present tense (a true technical use ends the line with `{marker} {OPT_OUT}`)")
                    break

    def run(self, paths):
        cpp_folders = {"apps", "bench", "fakes", "fuzz", "harness", "net", "protocol", "reports", "tests"}
        self.project_folders = {p.split("/")[0] for p in paths if "/" in p and p.endswith(CPP_EXTENSIONS)}
        for path in paths:
            if not os.path.isfile(os.path.join(self.root, path)):
                continue
            top = path.split("/")[0]
            name = os.path.basename(path)
            if name.endswith(C_COMMENT_EXTENSIONS):
                code, bare, comments = split_cpp(self.read(path))
                self.check_narration(path, comments, "//")
                if name.endswith(CPP_EXTENSIONS) and top in cpp_folders:
                    self.check_includes(path, code)
                    self.check_prefix_helpers(path, bare)
                    if top in PURE_LAYERS:
                        self.check_determinism(path, code, bare)
            elif (name.endswith(HASH_COMMENT_EXTENSIONS) or name == "CMakeLists.txt" or
                  ("." not in name and is_shebang_script(os.path.join(self.root, path)))):
                shell = not (name.endswith((".py", ".cmake")) or name == "CMakeLists.txt")
                if "." not in name:
                    shell = not is_python(os.path.join(self.root, path))
                self.check_narration(path, hash_comments(self.read(path), shell), "#")
        return self.problems


def main():
    if len(sys.argv) != 2:
        print("usage: check_tree.py ROOT < NUL-separated paths", file=sys.stderr)
        return 2
    paths = sorted(p for p in sys.stdin.read().split("\0") if p)
    problems = Checker(sys.argv[1]).run(paths)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
