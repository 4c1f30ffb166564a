"""Read-only access for people, and no SQL built by formatting values.

The scanner reads every Python module the project ships or runs (ingest/,
bench/, notebooks/) and flags SQL text built with f-strings, str.format,
``%`` or ``+`` whose inserted parts are not provably safe: constants,
sqlglot-built identifiers (``identifier``, ``table_name``, ``.sql()``), or
local names assigned only from those. Values go in as bound parameters.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from ingest import cli as cli_module
from ingest.paths import PROJECT_ROOT

SCANNED_DIRS = ("ingest", "bench", "notebooks")

# Calls whose result is SQL text built by sqlglot, never raw input.
SAFE_BUILDERS = {"identifier", "table_name", "sql", "to_identifier"}

# Looks like a SQL statement (or a clause that only appears in one), with
# each formatted value replaced by "X".
SQL_TEXT = re.compile(
    r"\bselect\b[\s\S]*\bfrom\b|\binsert\s+into\b|\bupdate\s+\S+\s+set\b"
    r"|\bdelete\s+from\b|\bcreate\s+(or\s+replace\s+)?(temp\w*\s+)?"
    r"(table|schema|view|index|macro)\b|\bdrop\s+(table|schema|view)\b"
    r"|\balter\s+table\b|\bcopy\s+\S+\s+(from|to)\b|\battach\s+"
    r"|\bpragma\s+\w|\bwhere\s+\S+\s*(=|<|>|like|in)\s*X|\blimit\s+X"
    r"|\bcomment\s+on\b|^\s*(set|reset)\s+\w|^\s*(describe|summarize|show)\s+"
    r"|^\s*(load|install)\s+\w",
    re.IGNORECASE,
)

# Values the scanner cannot prove safe but that are not input, each with
# the reason. Every entry must still match code, so the list cannot rot.
REVIEWED = {
    ("ingest/warehouse.py", "sql_type"): (
        "column types come from the SQL_TYPES constant and the *_COLUMNS "
        "tuples in the same module, never from input"
    ),
    ("ingest/dbt.py", "compiled_sql"): (
        "dbt's own compiled SQL for a failing test, from our dbt project"
    ),
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    expression: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: SQL text formats in {self.expression}"


class _Scanner(ast.NodeVisitor):
    def __init__(self, relative_path: str, tree: ast.Module, source: str):
        self.relative_path = relative_path
        self.source = source
        self.findings: list[Finding] = []
        self.reviewed_used: set[tuple[str, str]] = set()
        # Module-level functions, so a call to a helper that only returns
        # sqlglot-built text counts as safe.
        self.functions = {
            node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)
        }
        self.checking_functions: set[str] = set()
        self.scopes: list[dict[str, list[ast.AST | None]]] = []

    # Scopes: which expressions each local name is assigned from.

    def _assignments(self, function: ast.AST) -> dict[str, list[ast.AST | None]]:
        assigned: dict[str, list[ast.AST | None]] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind(target, node.value, assigned)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value:
                self._bind(node.target, node.value, assigned)
            elif isinstance(node, ast.For | ast.comprehension):
                # A loop variable holds items of its iterable; those are
                # safe only when the iterable is a constant.
                self._bind(node.target, _Items(node.iter), assigned)
            elif isinstance(node, ast.With):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._bind(item.optional_vars, None, assigned)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = function.args
            for argument in [
                *arguments.posonlyargs,
                *arguments.args,
                *arguments.kwonlyargs,
            ]:
                assigned.setdefault(argument.arg, []).append(None)
        return assigned

    def _bind(self, target, value, assigned) -> None:
        if isinstance(target, ast.Name):
            assigned.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._bind(
                    element, value if isinstance(value, _Items) else None, assigned
                )

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.scopes.append(self._assignments(node))
        self.generic_visit(node)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    # Safety of one inserted expression.

    def _safe(self, node: ast.AST | None, seen: frozenset[str] = frozenset()) -> bool:
        if node is None:
            return False
        if isinstance(node, _Items):
            return self._safe_items(node.iterable, seen)
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return self._safe_name(node.id, seen)
        if isinstance(node, ast.FormattedValue):
            return self._safe(node.value, seen)
        if isinstance(node, ast.JoinedStr):
            return all(self._safe(value, seen) for value in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._safe(node.left, seen) and self._safe(node.right, seen)
        if isinstance(node, ast.IfExp):
            return self._safe(node.body, seen) and self._safe(node.orelse, seen)
        if isinstance(node, ast.Subscript):
            return isinstance(node.value, ast.Name) and _is_constant(node.value.id)
        if isinstance(node, ast.Call):
            function = node.func
            name = (
                function.id
                if isinstance(function, ast.Name)
                else function.attr
                if isinstance(function, ast.Attribute)
                else None
            )
            if name in SAFE_BUILDERS:
                return True
            if isinstance(function, ast.Name) and function.id in self.functions:
                return self._safe_helper(function.id)
            if (
                name == "join"
                and isinstance(function, ast.Attribute)
                and isinstance(function.value, ast.Constant)
                and len(node.args) == 1
            ):
                return self._safe_iterable(node.args[0], seen)
        return False

    def _safe_helper(self, name: str) -> bool:
        """A module function is safe when everything it returns is."""
        if name in self.checking_functions:
            return False
        function = self.functions[name]
        returns = [
            node.value for node in ast.walk(function) if isinstance(node, ast.Return)
        ]
        self.checking_functions.add(name)
        self.scopes.append(self._assignments(function))
        try:
            return bool(returns) and all(self._safe(value) for value in returns)
        finally:
            self.scopes.pop()
            self.checking_functions.discard(name)

    def _safe_items(self, node: ast.AST, seen: frozenset[str]) -> bool:
        """Whether every item a loop over ``node`` can bind is safe."""
        if isinstance(node, ast.Name):
            return _is_constant(node.id) and not self._assigned_here(node.id)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("items", "keys", "values")
        ):
            return self._safe_items(node.func.value, seen)
        if isinstance(node, ast.List | ast.Tuple):
            # Unpacking may bind any element of a literal row, so all must be.
            return all(
                self._safe_items(element, seen)
                if isinstance(element, ast.List | ast.Tuple)
                else self._safe(element, seen)
                for element in node.elts
            )
        return False

    def _safe_iterable(self, node: ast.AST, seen: frozenset[str]) -> bool:
        if isinstance(node, ast.GeneratorExp | ast.ListComp):
            return self._safe(node.elt, seen)
        if isinstance(node, ast.List | ast.Tuple):
            return all(self._safe(element, seen) for element in node.elts)
        return False

    def _assigned_here(self, name: str) -> bool:
        return bool(self.scopes) and name in self.scopes[-1]

    def _safe_name(self, name: str, seen: frozenset[str]) -> bool:
        # An upper-case name is a module constant unless the function
        # assigns it: then its values decide, as for any local.
        if _is_constant(name) and not self._assigned_here(name):
            return True
        key = (self.relative_path, name)
        if key in REVIEWED:
            self.reviewed_used.add(key)
            return True
        if name in seen or not self.scopes:
            return False
        values = self.scopes[-1].get(name)
        if not values:
            return False
        return all(self._safe(value, seen | {name}) for value in values)

    # The three ways of formatting text.

    def _check(self, node: ast.AST, text: str, parts: list[ast.AST]) -> None:
        if not SQL_TEXT.search(text):
            return
        for part in parts:
            if not self._safe(part):
                self.findings.append(
                    Finding(
                        self.relative_path,
                        node.lineno,
                        ast.unparse(part),
                    )
                )

    def _check_pieces(self, node: ast.AST, separator: str, pieces) -> None:
        """Text joined from pieces: the constant ones are its text, the
        others what is inserted into it."""
        text = separator.join(
            piece.value
            if isinstance(piece, ast.Constant) and isinstance(piece.value, str)
            else "X"
            for piece in pieces
        )
        self._check(
            node,
            text,
            [piece for piece in pieces if not isinstance(piece, ast.Constant)],
        )

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = "".join(
            value.value if isinstance(value, ast.Constant) else "X"
            for value in node.values
        )
        self._check(
            node,
            text,
            [value for value in node.values if isinstance(value, ast.FormattedValue)],
        )
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        if (
            isinstance(function, ast.Attribute)
            and function.attr == "join"
            and isinstance(function.value, ast.Constant)
            and isinstance(function.value.value, str)
            and len(node.args) == 1
            and isinstance(node.args[0], ast.List | ast.Tuple)
        ):
            self._check_pieces(node, function.value.value, node.args[0].elts)
        if (
            isinstance(function, ast.Attribute)
            and function.attr == "format"
            and isinstance(function.value, ast.Constant)
            and isinstance(function.value.value, str)
        ):
            text = re.sub(r"\{[^}]*\}", "X", function.value.value)
            parts = [*node.args, *(keyword.value for keyword in node.keywords)]
            self._check(node, text, parts)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if (
            isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)
        ):
            text = re.sub(r"%[sdr]", "X", node.left.value)
            parts = (
                list(node.right.elts)
                if isinstance(node.right, ast.Tuple)
                else [node.right]
            )
            self._check(node, text, parts)
        elif isinstance(node.op, ast.Add):
            operands = _flatten_addition(node)
            self._check_pieces(node, "", operands)
            # The operands were checked as one text; do not check the
            # inner additions again.
            for operand in operands:
                self.visit(operand)
            return
        self.generic_visit(node)


@dataclass(frozen=True)
class _Items:
    """Stands for "an item of this iterable" in a loop variable's binding."""

    iterable: ast.AST


def _is_constant(name: str) -> bool:
    """UPPER_CASE names are module constants by the style guide, whether
    defined here or imported."""
    return name.isupper()


def _flatten_addition(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _flatten_addition(node.left) + _flatten_addition(node.right)
    return [node]


def scan_source(relative_path: str, source: str) -> tuple[list[Finding], set]:
    tree = ast.parse(source)
    scanner = _Scanner(relative_path, tree, source)
    scanner.visit(tree)
    return scanner.findings, scanner.reviewed_used


def scanned_files() -> list[Path]:
    return sorted(
        path
        for directory in SCANNED_DIRS
        if (PROJECT_ROOT / directory).is_dir()
        for pattern in ("*.py", "*.ipynb")
        for path in (PROJECT_ROOT / directory).rglob(pattern)
        if ".ipynb_checkpoints" not in path.parts
    )


def python_source(path: Path) -> str:
    """A module's text, or a notebook's code cells as one module (IPython
    magics and shell lines, which are not Python, left out)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return text
    cells = [
        "".join(cell["source"])
        for cell in json.loads(text)["cells"]
        if cell["cell_type"] == "code"
    ]
    return "\n".join(
        line
        for cell in cells
        for line in cell.splitlines()
        if not line.lstrip().startswith(("%", "!"))
    )


def test_no_sql_is_built_by_formatting_values_into_text():
    findings, reviewed_used = [], set()
    files = scanned_files()
    assert PROJECT_ROOT / "ingest" / "warehouse.py" in files
    assert PROJECT_ROOT / "notebooks" / "explore.ipynb" in files
    for path in files:
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        file_findings, used = scan_source(relative, python_source(path))
        findings += file_findings
        reviewed_used |= used
    assert [str(finding) for finding in findings] == []
    assert reviewed_used == set(REVIEWED), "a reviewed exception no longer applies"


UNSAFE_SNIPPETS = {
    "f-string value": (
        "def f(c, name):\n    c.execute(f\"select * from t where name = '{name}'\")\n"
    ),
    "format value": (
        'def f(c, n):\n    c.execute("delete from t where id = {}".format(n))\n'
    ),
    "percent value": (
        'def f(c, n):\n    c.execute("select a from t where id = %s" % n)\n'
    ),
    "concatenated value": (
        'def f(c, n):\n    c.execute("select a from t where b = \'" + n + "\'")\n'
    ),
    "laundered through a local": (
        "def f(c, n):\n    value = n.strip()\n"
        '    c.execute(f"insert into t values ({value})")\n'
    ),
    "table name from input": 'def f(c, n):\n    c.execute(f"drop table {n}")\n',
    "loop over input": (
        'def f(c, names):\n    for n in names:\n        c.execute(f"drop table {n}")\n'
    ),
    "loop over a literal holding input": (
        "def f(c, a, n):\n"
        "    for one in (table_name('s', a), n):\n"
        '        c.execute(f"select * from {one}")\n'
    ),
    "comment from input": (
        "def f(c, d):\n    c.execute(f\"comment on table t is '{d}'\")\n"
    ),
    "setting from input": 'def f(c, d):\n    c.execute(f"set threads = {d}")\n',
    "upper-case local from input": (
        'def f(c, d):\n    NAME = d\n    c.execute(f"drop table {NAME}")\n'
    ),
    "loop over an upper-case local from input": (
        "def f(c, d):\n    NAMES = d\n    for n in NAMES:\n"
        '        c.execute(f"drop table {n}")\n'
    ),
    "joined list holding input": (
        'def f(c, d):\n    c.execute("".join(["select * from t where a = ", d]))\n'
    ),
    "helper passing input through": (
        "def wrap(n):\n    return n\n"
        'def f(c, n):\n    c.execute(f"select a from {wrap(n)}")\n'
    ),
}

SAFE_SNIPPETS = {
    "identifiers": (
        "def f(c, schema, name, columns):\n"
        '    column_sql = ", ".join(identifier(column) for column in columns)\n'
        '    c.execute(f"select {column_sql} from {table_name(schema, name)}")\n'
    ),
    "placeholders": (
        "def f(c, names, rows):\n"
        '    placeholders = ", ".join("?" for _ in names)\n'
        '    c.executemany(f"insert into t values ({placeholders})", rows)\n'
    ),
    "module constant": (
        'LIMIT = 5\ndef f(c):\n    c.execute(f"select a from t limit {LIMIT}")\n'
    ),
    "items of a constant": (
        "COLUMNS = (('a', 'varchar'),)\n"
        "def f(c):\n"
        "    for name, sql_type in COLUMNS:\n"
        '        c.execute(f"create table t ({identifier(name)} {sql_type})")\n'
    ),
    "loop over a literal of sqlglot names": (
        "def f(c, a, b):\n"
        "    first_table = table_name('s', a)\n"
        "    second_table = table_name('s', b)\n"
        "    for one, other in ((first_table, second_table),):\n"
        '        c.execute(f"select * from {one} except all select * from {other}")\n'
    ),
    "helper returning sqlglot text": (
        "def quoted(n):\n    return exp.to_identifier(n).sql()\n"
        'def f(c, n):\n    c.execute(f"drop table {quoted(n)}")\n'
    ),
    "message that is not SQL": (
        'def f(name):\n    return f"copy the wording exactly: {name}"\n'
    ),
}


@pytest.mark.parametrize("snippet", UNSAFE_SNIPPETS.values(), ids=list(UNSAFE_SNIPPETS))
def test_scanner_flags_values_formatted_into_sql(snippet):
    findings, _ = scan_source("snippet.py", snippet)
    assert len(findings) == 1


@pytest.mark.parametrize("snippet", SAFE_SNIPPETS.values(), ids=list(SAFE_SNIPPETS))
def test_scanner_allows_sqlglot_identifiers_placeholders_and_constants(snippet):
    assert scan_source("snippet.py", snippet)[0] == []


# autowatch query: read-only for people.

WRITING_STATEMENTS = [
    "insert into raw.news_articles (article_id) values ('x')",
    "update marts.dim_company set company_name = 'x'",
    "delete from marts.dim_company",
    "drop table raw.news_articles",
    "create table marts.sneaky as select 1 as one",
    "alter table marts.dim_company add column sneaky integer",
    "select 1; drop table raw.news_articles",
    "with gone as (delete from marts.dim_company returning *) select * from gone",
    "copy marts.dim_company to '{outside}'",
    "attach '{outside}' as sneaky",
    "pragma enable_profiling",
    "checkpoint",
    "Robert'); DROP TABLE raw.news_articles;--",
]


@pytest.fixture
def warehouse_copy(built_paths, tmp_path) -> Path:
    warehouse_dir = tmp_path / "warehouse"
    warehouse_dir.mkdir()
    shutil.copyfile(built_paths.warehouse_file, warehouse_dir / "autowatch.duckdb")
    return warehouse_dir


def query_command():
    command = cli_module.cli.commands.get("query")
    assert command is not None, "autowatch query does not exist (issue 7)"
    return command


@pytest.mark.parametrize("statement", WRITING_STATEMENTS)
def test_query_refuses_statements_that_write(statement, warehouse_copy, tmp_path):
    query_command()
    outside = tmp_path / "written_by_query.csv"
    warehouse_file = warehouse_copy / "autowatch.duckdb"
    digest_before = hashlib.sha256(warehouse_file.read_bytes()).hexdigest()
    result = CliRunner().invoke(
        cli_module.cli,
        [
            "query",
            "--warehouse-dir",
            str(warehouse_copy),
            statement.replace("{outside}", str(outside)),
        ],
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ")
    assert result.stdout == ""
    assert not outside.exists()
    assert hashlib.sha256(warehouse_file.read_bytes()).hexdigest() == digest_before


def test_query_reads_with_bound_text_left_alone(warehouse_copy):
    query_command()
    result = CliRunner().invoke(
        cli_module.cli,
        [
            "query",
            "--warehouse-dir",
            str(warehouse_copy),
            "select count(*) as companies from marts.dim_company",
        ],
    )
    assert result.exit_code == 0, result.stderr
    connection = duckdb.connect(
        str(warehouse_copy / "autowatch.duckdb"), read_only=True
    )
    try:
        (count,) = connection.execute(
            "select count(*) from marts.dim_company"
        ).fetchone()
    finally:
        connection.close()
    assert str(count) in result.stdout
