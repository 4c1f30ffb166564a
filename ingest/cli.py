"""The ``autowatch`` command line: parses arguments, prints results."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from ingest import __version__
from ingest.errors import (
    AutowatchError,
    BuildError,
    BuildLockedError,
    InputError,
    Problem,
    shown_path,
)
from ingest.paths import PROJECT_ROOT, Paths, default_paths

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}

# A mistyped input folder is refused before anything runs (an articles
# folder that is not there would otherwise build a warehouse whose curated
# facts all cite missing articles). The defaults are the project's own
# folders, wherever the command is run from.
articles_option = click.option(
    "--articles",
    "articles_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Directory of *.txt articles (repeatable). "
    f"Default: {PROJECT_ROOT / 'data' / 'articles'}.",
)
seeds_option = click.option(
    "--seeds",
    "seeds_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help=f"Directory of curated CSVs. Default: {PROJECT_ROOT / 'seeds'}.",
)
warehouse_option = click.option(
    "--warehouse-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where autowatch.duckdb is written. Default: $AUTOWATCH_WAREHOUSE_DIR, "
    f"else {PROJECT_ROOT / 'warehouse'}.",
)


# A file `autowatch ingest --database` wrote, or a warehouse copied
# elsewhere under another name, read as the warehouse file is.
database_to_read_option = click.option(
    "--database",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A DuckDB file to read instead of the warehouse's (for example one "
    "`autowatch ingest --database` wrote).",
)


def _file_to_read(warehouse_dir: Path | None, database: Path | None) -> Path:
    """The DuckDB file a read-only command reads."""
    if database is None:
        return _paths((), None, warehouse_dir).warehouse_file
    if warehouse_dir is not None:
        raise click.UsageError(
            "--database names the file to read; give it without --warehouse-dir"
        )
    return database.resolve()


def _paths(
    articles_dirs: tuple[Path, ...],
    seeds_dir: Path | None,
    warehouse_dir: Path | None,
) -> Paths:
    return default_paths(articles_dirs, seeds_dir, warehouse_dir)


def _shown(problem: Problem) -> str:
    return str(replace(problem, path=shown_path(problem.path)))


def _shown_reason(file_path: str, reason: str) -> str:
    """A quarantine reason (``path:line:column: …``) with its path shown
    like a problem's."""
    if not reason.startswith(f"{file_path}:"):
        return reason
    return f"{shown_path(file_path)}{reason[len(file_path) :]}"


def _fail(error: AutowatchError) -> click.ClickException:
    if isinstance(error, InputError):
        return click.ClickException(
            "invalid input, nothing was loaded:\n"
            + "\n".join(_shown(problem) for problem in error.problems)
        )
    if isinstance(error, BuildError):
        return click.ClickException("\n".join([error.summary, *error.failures]))
    if isinstance(error, BuildLockedError):
        return click.ClickException(error.message(shown_path(error.lock_file)))
    return click.ClickException(str(error))


def _progress_bars():
    """Progress bars on stderr for long loops, only when it is a terminal:
    pipes, logs and tests stay quiet."""
    import sys
    from contextlib import contextmanager

    from ingest import progress

    @contextmanager
    def bars():
        if not sys.stderr.isatty():
            yield
            return
        unfinished = {}

        def show(phase: str, done: int, total: int | None) -> None:
            if total is None:
                return
            if phase not in unfinished:
                unfinished[phase] = click.progressbar(
                    length=total, label=phase, file=sys.stderr
                )
            bar = unfinished[phase]
            bar.update(done - bar.pos)
            if done >= total:
                # Ends the line, so the next phase's bar starts below.
                bar.render_finish()
                del unfinished[phase]

        try:
            with progress.listening(show):
                yield
        finally:
            for bar in unfinished.values():
                bar.render_finish()

    return bars()


class OneLineErrors(click.Group):
    """The operating system's refusals (a warehouse folder that cannot be
    created, a database path in a missing folder) end as one line, like
    every input error, not as a traceback."""

    def invoke(self, context: click.Context):
        import duckdb

        try:
            return super().invoke(context)
        except BrokenPipeError:
            # The reader stopped (`autowatch extract … | head`): click ends
            # quietly on it, as a Unix filter does.
            raise
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            raise click.ClickException(f"{where}{error.strerror or error}") from error
        except duckdb.IOException as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=OneLineErrors, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="autowatch")
@click.pass_context
def cli(context: click.Context) -> None:
    """autowatch: an evidence-grounded warehouse of the automotive industry.

    Example: autowatch build
    """
    context.with_resource(_progress_bars())


@cli.command()
@articles_option
@seeds_option
@click.option(
    "--database",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="DuckDB file to create with the raw tables (replaced if present).",
)
def ingest(
    articles_dirs: tuple[Path, ...],
    seeds_dir: Path | None,
    database: Path,
) -> None:
    """Validate inputs and load them into the raw schema of a new file.

    Example: autowatch ingest --database /tmp/inputs.duckdb
    """
    from ingest.warehouse import RESERVED_CATALOG_NAMES, swap_in
    from ingest.warehouse import ingest as ingest_inputs

    if database.stem in RESERVED_CATALOG_NAMES:
        raise click.BadParameter(
            f"DuckDB names the catalog after the file, and {database.stem!r} "
            "is also a schema or catalog name; choose another file name",
            param_hint="--database",
        )
    paths = _paths(articles_dirs, seeds_dir, None)
    database = database.resolve()
    # Loaded beside the file and swapped in once complete, as a build is:
    # a failure or a kill half-way leaves the previous file as it was; the
    # next ingest removes what a killed one left.
    if not database.parent.is_dir():
        raise click.ClickException(f"{database.parent}: no such folder")
    loading_dir = database.parent / f".{database.name}.loading"
    shutil.rmtree(loading_dir, ignore_errors=True)
    loading_dir.mkdir()
    try:
        result = ingest_inputs(paths, loading_dir / database.name)
        swap_in(loading_dir / database.name, database)
    except AutowatchError as error:
        raise _fail(error) from error
    finally:
        shutil.rmtree(loading_dir, ignore_errors=True)
    _report_ingest(result)
    click.echo(f"wrote the raw tables to {database}", err=True)


# A corpus of new articles would otherwise print a line each.
UNCURATED_ARTICLES_LISTED = 5


def _report_ingest(result) -> None:
    click.echo(f"loaded {result.article_count} article(s)", err=True)
    for table_name, count in sorted(result.curated_row_counts.items()):
        click.echo(f"loaded {count} curated row(s) into {table_name}", err=True)
    if result.quarantined:
        click.echo(f"quarantined {len(result.quarantined)} article file(s):", err=True)
        for file_path, reason in result.quarantined:
            click.echo(f"  {_shown_reason(file_path, reason)}", err=True)
    uncurated = result.uncurated_articles
    if uncurated:
        click.echo(
            f"{len(uncurated)} article(s) not in articles.csv yet, so with no "
            "publication date or outlet:",
            err=True,
        )
        for path in uncurated[:UNCURATED_ARTICLES_LISTED]:
            click.echo(f"  {path}", err=True)
        if len(uncurated) > UNCURATED_ARTICLES_LISTED:
            click.echo(
                f"  … and {len(uncurated) - UNCURATED_ARTICLES_LISTED} more", err=True
            )


@cli.command()
@articles_option
@seeds_option
@warehouse_option
@click.option(
    "--wait",
    is_flag=True,
    help="Wait for a running build to finish instead of exiting.",
)
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Read and extract every article again and rebuild every mart "
    "from scratch, instead of updating the live warehouse for the added, "
    "changed and removed articles only.",
)
@click.option(
    "--target",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="Engine: a DuckDB file, or Apache Spark (local[2], a cluster "
    "through Spark Connect at $SPARK_REMOTE, or a Thrift server at "
    "$AUTOWATCH_SPARK_THRIFT_HOST) writing Parquet under "
    "<warehouse-dir>/spark (or $AUTOWATCH_SPARK_DIR). On a cluster's shared "
    "catalog, $AUTOWATCH_SPARK_SCHEMA_PREFIX (e.g. dev_) keeps this "
    "warehouse's schemas apart from others'. Spark needs the spark extra, "
    "and local Spark Java 17.",
)
def build(
    articles_dirs: tuple[Path, ...],
    seeds_dir: Path | None,
    warehouse_dir: Path | None,
    wait: bool,
    full_refresh: bool,
    target: str,
) -> None:
    """Ingest, run dbt build and all tests, then swap the warehouse in.

    A failed build leaves the previous warehouse untouched.

    Example: autowatch build --warehouse-dir warehouse
    """
    from ingest.warehouse import build as build_warehouse

    paths = _paths(articles_dirs, seeds_dir, warehouse_dir)
    if target == "spark":
        _build_on_spark(paths, wait, full_refresh)
        return
    try:
        result = build_warehouse(paths, wait_for_lock=wait, full_refresh=full_refresh)
    except AutowatchError as error:
        raise _fail(error) from error
    _report_ingest(result.ingest)
    click.echo(f"built {result.warehouse_file}", err=True)
    click.echo(str(result.warehouse_file))


def _build_on_spark(paths: Paths, wait: bool, full_refresh: bool) -> None:
    from ingest import spark

    try:
        result = spark.build(paths, wait_for_lock=wait, full_refresh=full_refresh)
    except AutowatchError as error:
        raise _fail(error) from error
    _report_ingest(result.ingest)
    click.echo(f"built the Spark warehouse in {result.spark_dir}", err=True)
    click.echo(str(result.spark_dir))


@cli.command()
@warehouse_option
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the page. Default: docs/index.html.",
)
def docs(warehouse_dir: Path | None, output: Path | None) -> None:
    """Write the dbt docs site as one self-contained HTML page.

    Reads a copy of the built warehouse, so an open reader is no obstacle.

    Example: autowatch docs --output docs/index.html
    """
    from ingest import dbt
    from ingest.query import connect_read_only

    paths = _paths((), None, warehouse_dir)
    try:
        # Opened once to fail early, as every reading command does.
        connect_read_only(paths.warehouse_file).close()
    except AutowatchError as error:
        raise _fail(error) from error
    output = (output or PROJECT_ROOT / "docs" / "index.html").resolve()
    with tempfile.TemporaryDirectory() as temporary:
        copy = Path(temporary) / paths.warehouse_file.name
        shutil.copyfile(paths.warehouse_file, copy)
        try:
            page = dbt.generate_docs(paths, copy)
        except AutowatchError as error:
            raise _fail(error) from error
    output.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(page, output)
    click.echo(str(output))


@cli.command()
@warehouse_option
@database_to_read_option
@click.argument("sql")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="How to print the rows.",
)
@click.option(
    "--target",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="Which build to read: the DuckDB file, or the Parquet tables a "
    "Spark build wrote (read through DuckDB; no Java needed).",
)
def query(
    warehouse_dir: Path | None,
    database: Path | None,
    sql: str,
    output_format: str,
    target: str,
) -> None:
    """Run one read-only SQL statement against the warehouse.

    Statements that write (insert, create, copy, attach ...) are refused.

    Example: autowatch query "select * from reporting.plant_brands" --format csv
    """
    from ingest.query import format_result, run_query

    if database is not None and target == "spark":
        raise click.UsageError(
            "--database reads a DuckDB file; a Spark build is read with "
            "--target spark (and --warehouse-dir)"
        )
    try:
        if target == "spark":
            from ingest.spark import run_query_on_parquet, spark_paths

            paths = _paths((), None, warehouse_dir)
            result = run_query_on_parquet(spark_paths(paths), sql)
        else:
            result = run_query(_file_to_read(warehouse_dir, database), sql)
    except InputError as error:
        raise click.ClickException(
            "\n".join(str(problem) for problem in error.problems)
        ) from error
    except AutowatchError as error:
        raise _fail(error) from error
    click.echo(format_result(result, output_format))


@cli.command()
@warehouse_option
@database_to_read_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead.")
def status(warehouse_dir: Path | None, database: Path | None, as_json: bool) -> None:
    """Show what the warehouse holds, when it was built and from what.

    Example: autowatch status
    """
    import json

    from ingest.query import warehouse_status

    warehouse_file = _file_to_read(warehouse_dir, database)
    try:
        current = warehouse_status(warehouse_file)
    except AutowatchError as error:
        raise _fail(error) from error
    if as_json:
        click.echo(json.dumps(current.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(current.describe())


@cli.command()
@warehouse_option
@click.argument("column", required=False)
@click.option(
    "--all",
    "write_all",
    is_flag=True,
    help="Write the lineage of every column into meta.column_lineage.",
)
@click.option(
    "--wait",
    is_flag=True,
    help="With --all: wait for a running build instead of exiting.",
)
def lineage(
    warehouse_dir: Path | None, column: str | None, write_all: bool, wait: bool
) -> None:
    """Trace a model column through the compiled SQL down to raw columns.

    COLUMN is model.column, e.g. fct_target.value_low (or
    marts.fct_target.value_low).

    Example: autowatch lineage fct_target.value_low
    """
    from ingest.lineage import LineageGraph, write_lineage_table

    if write_all == (column is not None):
        raise click.UsageError("give either MODEL.COLUMN or --all")
    paths = _paths((), None, warehouse_dir)
    try:
        if write_all:
            count = write_lineage_table(paths, wait_for_lock=wait)
            click.echo(
                f"wrote {count} row(s) into meta.column_lineage of "
                f"{paths.warehouse_file}",
                err=True,
            )
            return
        model_name, separator, column_name = column.rpartition(".")
        if not separator or not model_name or not column_name:
            raise click.UsageError(
                f"{column!r}: expected MODEL.COLUMN, e.g. fct_target.value_low"
            )
        graph = LineageGraph.load(paths)
        tree = graph.trace(model_name, column_name)
    except AutowatchError as error:
        raise _fail(error) from error
    click.echo("\n".join(tree.render()))


@cli.command()
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
)
@seeds_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "jsonl"]),
    default="table",
    show_default=True,
    help="table for reading, jsonl for one JSON object per item.",
)
@click.option(
    "--published-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Publication date (YYYY-MM-DD) for 'this year', 'in April' and "
    "other dates without a year.",
)
def extract(
    files: tuple[Path, ...],
    seeds_dir: Path | None,
    output_format: str,
    published_on,
) -> None:
    """Read text files and print the mentions, figures and periods found.

    Needs no warehouse: files are decoded as the ingester decodes them and
    matched against the curated aliases in the seeds directory.

    Example: autowatch extract --format jsonl data/articles/*.txt
    """
    import json

    from ingest.articles import ArticleDecodeError
    from ingest.extraction import extract_file, extraction_items
    from ingest.mentions import load_matcher

    paths = _paths((), seeds_dir, None)
    try:
        matcher = load_matcher(paths.seeds_dir)
    except AutowatchError as error:
        raise _fail(error) from error
    reference = published_on.date() if published_on else None
    for path in files:
        try:
            _, extraction = extract_file(path, matcher, reference)
        except ArticleDecodeError as error:
            raise click.ClickException(
                str(Problem(path, error.line, error.column, str(error)))
            ) from error
        except OSError as error:
            raise click.ClickException(
                str(Problem(path, 1, 1, f"cannot read file: {error.strerror}"))
            ) from error
        for item in extraction_items(extraction):
            if output_format == "jsonl":
                click.echo(json.dumps({"file": str(path), **item}, ensure_ascii=False))
            else:
                click.echo(_extraction_row(str(path), item))


def _extraction_row(file_name: str, item: dict) -> str:
    """One tab-separated line: file, kind, span, text, normalised values."""
    skipped = {"kind", "start", "end", "text", "entity_code"}
    details = " ".join(
        f"{key}={value}"
        for key, value in item.items()
        if key not in skipped and value is not None
    )
    return "\t".join(
        [
            file_name,
            item["kind"],
            f"{item['start']}-{item['end']}",
            item["text"],
            details,
        ]
    )


def main() -> None:
    cli(prog_name="autowatch")
