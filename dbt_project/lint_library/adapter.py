"""Stand-in for dbt's ``adapter`` object, for sqlfluff's jinja templater.

``adapter.dispatch`` picks a macro per database at dbt compile time; for
linting, the dispatched macro renders as a plain function call.
"""


def dispatch(macro_name, macro_namespace=None):
    def render(*arguments):
        return f"{macro_name}({', '.join(str(argument) for argument in arguments)})"

    return render
