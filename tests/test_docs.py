"""The project's documents stand on their own.

Code, tests and docs cite the domain's rules by number in docs/DOMAIN.md ("docs/DOMAIN.md
rule R10", "docs/DOMAIN.md section 4"), never a brief kept outside the repository. These
tests read every file of the project (tracked, or new and not ignored) and fail on:

- a citation of an outside brief (the product brief or the code conventions by file name,
  or by "section"/"rule" of it);
- a cited rule with no anchor in docs/DOMAIN.md, a cited section with no heading there, or
  a rule cited without its number;
- a rule of docs/DOMAIN.md missing from the "where each rule lives" table at its top, or a
  row of that table naming a module or function that is not there.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "docs" / "DOMAIN.md"

#: Briefs that live outside the repository: the project states what it needs of them in
#: docs/DOMAIN.md (the domain) and docs/ARCHITECTURE.md (the conventions).
OUTSIDE_BRIEFS = ("DESIGN", "CONVENTIONS")
OUTSIDE_CITATION = re.compile(
    r"\b(?:" + "|".join(OUTSIDE_BRIEFS) + r")(?:\.md\b|\s+(?:section|rule|example)s?\b)"
)

_RULE = r"R\d+"
_JOIN = r"(?:\s*,\s*|\s+and\s+|\s+to\s+|\s*[–-]\s*)"
RULE_CITATION = re.compile(
    r"docs/DOMAIN\.md,?\s+rules?\s+(" + _RULE + r"(?:" + _JOIN + _RULE + r")*)"
)
RULE_CITATION_WITHOUT_NUMBER = re.compile(r"docs/DOMAIN\.md,?\s+rules?\b(?!\s+R\d)")
SECTION_CITATION = re.compile(r"docs/DOMAIN\.md,?\s+section\s+(\d+)")

ANCHOR = re.compile(r'<a id="(R\d+)"></a>')
SECTION_HEADING = re.compile(r"^## (\d+)\. ", re.MULTILINE)
INDEX_LINK = re.compile(r"\[R(\d+)\]\(#R(\d+)\)(?:–\[R(\d+)\]\(#R(\d+)\))?")

#: Not the project's own text, even when present in a checkout.
SKIPPED_DIRS = {".git", ".venv", "node_modules", ".data", "staticfiles", "media", "__pycache__"}


def project_files() -> list[Path]:
    """Every file of the project: what git tracks plus new files it does not ignore (the
    next commit's), or, without git, every file outside the skipped folders."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        found = []
        for folder, dirs, files in os.walk(ROOT):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
            found += [Path(folder) / name for name in files]
        return sorted(found)
    names = {name for name in listed.decode().split("\0") if name}
    return sorted(p for p in (ROOT / name for name in names) if p.is_file())


def read_text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def project_texts() -> list[tuple[str, str]]:
    texts = []
    for path in project_files():
        text = read_text(path)
        if text is not None:
            texts.append((path.relative_to(ROOT).as_posix(), text))
    return texts


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def outside_citations(name: str, text: str) -> list[str]:
    return [
        f"{name}:{_line_of(text, m.start())}: {m.group(0)!r}"
        for m in OUTSIDE_CITATION.finditer(text)
    ]


def cited_rules(text: str) -> set[str]:
    """Rule numbers cited as "docs/DOMAIN.md rule R3", "… rules R1, R2 and R4" or
    "… rules R14 to R21" (a range cites every rule in it)."""
    cited: set[str] = set()
    for match in RULE_CITATION.finditer(text):
        group = match.group(1)
        numbers = [int(n) for n in re.findall(r"R(\d+)", group)]
        cited.update(f"R{n}" for n in numbers)
        for low, high in re.findall(r"R(\d+)(?:\s+to\s+|\s*[–-]\s*)R(\d+)", group):
            cited.update(f"R{n}" for n in range(int(low), int(high) + 1))
    return cited


def cited_sections(text: str) -> set[str]:
    return set(SECTION_CITATION.findall(text))


def domain_text() -> str:
    assert DOMAIN.is_file(), "docs/DOMAIN.md is missing"
    return DOMAIN.read_text(encoding="utf-8")


def rule_anchors(text: str) -> list[str]:
    return ANCHOR.findall(text)


def index_table(text: str) -> str:
    """The "where each rule lives" table: the text before section 1."""
    first_section = SECTION_HEADING.search(text)
    assert first_section, "docs/DOMAIN.md has no numbered sections"
    return text[: first_section.start()]


def indexed_rules(table: str) -> set[str]:
    rules: set[str] = set()
    for first, first_target, last, last_target in INDEX_LINK.findall(table):
        assert first == first_target, f"[R{first}] links to #R{first_target}"
        assert not last or last == last_target, f"[R{last}] links to #R{last_target}"
        rules.update(f"R{n}" for n in range(int(first), int(last or first) + 1))
    return rules


def index_rows(table: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each row of the index as (rule, [(module cell line, function cell line), …]): the
    cells are split at <br> so that the n-th function line belongs to the n-th module
    line."""
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not INDEX_LINK.search(cells[0]):
            continue
        modules = cells[1].split("<br>")
        functions = cells[2].split("<br>") if cells[2] else []
        rows.append((cells[0], list(zip(modules, functions, strict=False))))
    return rows


def missing_from_index(table: str) -> list[str]:
    """Modules named in the index that do not exist, and functions not found in the
    module(s) named beside them."""
    problems = []
    for rule, pairs in index_rows(table):
        for module_cell, function_cell in pairs:
            modules = [
                m for m in re.findall(r"[\w<>/]+\.py\b", module_cell) if "<" not in m
            ]  # "<app>/access.py" is a pattern, not a module
            texts = []
            for module in modules:
                path = ROOT / module
                if not path.is_file():
                    problems.append(f"{rule}: no module {module}")
                else:
                    texts.append(path.read_text(encoding="utf-8"))
            if not texts:
                continue
            for name in re.findall(r"`([^`]+)`", function_cell):
                if "<" in name:
                    continue  # a pattern, such as get_<model>_for_member
                for part in re.findall(r"[A-Za-z_]\w*", name.split("[")[0]):
                    if not any(re.search(rf"\b{re.escape(part)}\b", t) for t in texts):
                        problems.append(f"{rule}: {part} is not in {', '.join(modules)}")
    return problems


# --- the project's files ---------------------------------------------------------------------


def test_no_file_cites_a_brief_from_outside_the_repository():
    offences = [line for name, text in project_texts() for line in outside_citations(name, text)]
    assert not offences, "cite docs/DOMAIN.md or docs/ARCHITECTURE.md instead:\n" + "\n".join(
        offences
    )


def test_every_cited_rule_has_its_anchor_in_the_domain_document():
    anchors = set(rule_anchors(domain_text()))
    unknown = sorted(
        f"{name}: {rule}"
        for name, text in project_texts()
        for rule in cited_rules(text)
        if rule not in anchors
    )
    assert not unknown, "cited but not in docs/DOMAIN.md:\n" + "\n".join(unknown)


def test_every_cited_section_is_a_section_of_the_domain_document():
    sections = set(SECTION_HEADING.findall(domain_text()))
    unknown = sorted(
        f"{name}: section {number}"
        for name, text in project_texts()
        for number in cited_sections(text)
        if number not in sections
    )
    assert not unknown, "cited but not in docs/DOMAIN.md:\n" + "\n".join(unknown)


def test_a_rule_citation_names_its_rule_number():
    vague = [
        f"{name}:{_line_of(text, m.start())}"
        for name, text in project_texts()
        for m in RULE_CITATION_WITHOUT_NUMBER.finditer(text)
    ]
    assert not vague, "name the rule (R1, R2, …):\n" + "\n".join(vague)


def test_the_project_cites_the_domain_document():
    cited = set().union(
        *(cited_rules(text) for name, text in project_texts() if name != "tests/test_docs.py")
    )
    assert {"R10", "R16"} <= cited


# --- docs/DOMAIN.md itself ---------------------------------------------------------------------


def test_rules_are_numbered_once_each_without_gaps():
    anchors = rule_anchors(domain_text())
    assert anchors, "docs/DOMAIN.md defines no rule"
    assert anchors == [f"R{n}" for n in range(1, len(anchors) + 1)]


def test_the_index_lists_every_rule_and_only_those():
    text = domain_text()
    assert indexed_rules(index_table(text)) == set(rule_anchors(text))


def test_the_index_names_modules_and_functions_that_exist():
    assert not missing_from_index(index_table(domain_text()))


# --- the checks themselves -----------------------------------------------------------------


def test_the_checks_find_what_they_look_for():
    brief = "DESIGN" + ".md"
    assert outside_citations("x.py", f'"""As {brief} section 3 says."""')
    assert outside_citations("x.py", "# the " + "CONVENTIONS" + ".md layout")
    assert outside_citations("x.md", "see " + "DESIGN" + " section 4")
    assert not outside_citations("x.py", "DESIGN_TOKENS = 1  # a good design")

    text = (
        "docs/DOMAIN.md rule R3; docs/DOMAIN.md rules R10 and R11;\n"
        "# docs/DOMAIN.md section 4 (docs/DOMAIN.md rules R14 to R16)"
    )
    assert cited_rules(text) == {"R3", "R10", "R11", "R14", "R15", "R16"}
    assert cited_sections(text) == {"4"}
    assert not RULE_CITATION_WITHOUT_NUMBER.search(text)
    assert RULE_CITATION_WITHOUT_NUMBER.search("docs/DOMAIN.md " + "rule 5")

    table = (
        "| [R1](#R1) a | kpis/scoring.py | `achievement`, `no_such_function` |\n"
        "| [R2](#R2)–[R4](#R4) b | kpis/no_such_module.py | `x` |\n"
        "| [R5](#R5) c | planned: reviews | |\n"
    )
    assert indexed_rules(table) == {"R1", "R2", "R3", "R4", "R5"}
    assert missing_from_index(table) == [
        "[R1](#R1) a: no_such_function is not in kpis/scoring.py",
        "[R2](#R2)–[R4](#R4) b: no module kpis/no_such_module.py",
    ]
