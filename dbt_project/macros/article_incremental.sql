{#- Incremental article-grain marts (dim_article, fct_mention,
    fct_extracted_figure, fct_extracted_period), one set of models for
    both engines. A rebuild recomputes only the articles the ingester lists
    in raw.article_changes (added, changed or removed since the live
    warehouse was built) plus any article the mart still holds but the
    source no longer has; `autowatch build --full-refresh` recomputes all.

    DuckDB: delete+insert on article_id. A pre-hook first deletes every row
    of an affected article, since an article that was removed, or that now
    yields no rows, is absent from the new rows delete+insert keys on.

    Spark (Parquet, no row-level delete): insert_overwrite by partition,
    partitioned by article_bucket. The filter selects every row of each
    affected bucket, so each partition it overwrites is rewritten whole; a
    max(...)-style filter would replace a partition with only the new rows.
    A bucket left with no rows at all is not overwritten by
    insert_overwrite, so a post-hook drops it. -#}

{#- A number from 0 to 255 taken from the first two hex digits of an
    article id; both engines compute it with the same SQL. -#}
{% macro article_bucket(article_id_column) -%}
    cast(
        (
            {{ dbt.position(
                'substring(' ~ article_id_column ~ ', 1, 1)',
                "'0123456789abcdef'"
            ) }} - 1
        ) * 16
        + {{ dbt.position(
            'substring(' ~ article_id_column ~ ', 2, 1)',
            "'0123456789abcdef'"
        ) }} - 1
        as bigint
    )
{%- endmacro %}

{#- The config of an article-grain mart, used as
    {{ config(**article_incremental_config()) }}. Hooks are rendered when
    the model runs, with the model's `this`. sqlfluff's stand-in for
    adapter.dispatch renders text, not a mapping: linting gets {}. -#}
{% macro article_incremental_config() -%}
    {%- set settings = adapter.dispatch(
        'article_incremental_config', 'autowatch'
    )() -%}
    {{ return(settings if settings is mapping else {}) }}
{%- endmacro %}

{% macro default__article_incremental_config() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'article_id',
        'on_schema_change': 'fail',
        'pre_hook': '{{ delete_affected_articles() }}',
    }) }}
{%- endmacro %}

{% macro spark__article_incremental_config() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite',
        'partition_by': ['article_bucket'],
        'on_schema_change': 'fail',
        'post_hook': '{{ drop_emptied_buckets() }}',
    }) }}
{%- endmacro %}

{#- Article ids whose rows in this mart must be recomputed or removed. -#}
{% macro affected_article_ids() -%}
    select article_id from {{ ref('stg_news__article_changes') }}
    union all
    select article_id from {{ this }}
    where article_id not in (
        select article_id from {{ ref('stg_news__articles') }}
    )
{%- endmacro %}

{#- The incremental filter on a model's source rows. -#}
{% macro affected_articles_filter(article_id_column) -%}
    {{ return(adapter.dispatch('affected_articles_filter', 'autowatch')(
        article_id_column
    )) }}
{%- endmacro %}

{% macro default__affected_articles_filter(article_id_column) -%}
    {{ article_id_column }} in (
        select article_id from {{ ref('stg_news__article_changes') }}
    )
{%- endmacro %}

{#- Whole partitions: every source row of each affected bucket. -#}
{% macro spark__affected_articles_filter(article_id_column) -%}
    {{ article_bucket(article_id_column) }} in (
        select {{ article_bucket('affected.article_id') }}
        from ({{ affected_article_ids() }}) as affected
    )
{%- endmacro %}

{% macro delete_affected_articles() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where article_id in ({{ affected_article_ids() }})
    {%- endif -%}
{%- endmacro %}

{#- After insert_overwrite: an affected bucket that received no new rows
    still holds its old rows, and every one of them is stale (an unchanged
    article of that bucket would have had rows selected). dbt-spark's
    temporary view <model>__dbt_tmp holds the rows just written. -#}
{% macro drop_emptied_buckets() -%}
    {%- if is_incremental() -%}
        {%- set new_rows = this.incorporate(
            path={'identifier': this.identifier ~ '__dbt_tmp'}
        ).include(database=false, schema=false) -%}
        {%- set emptied = run_query(
            'select distinct article_bucket from ' ~ this
            ~ ' where article_id in (' ~ affected_article_ids() ~ ')'
            ~ ' and article_bucket not in (select article_bucket from '
            ~ new_rows ~ ')'
        ) -%}
        {%- set buckets = emptied.columns[0].values() -%}
        {%- if buckets | length > 0 -%}
            alter table {{ this }} drop if exists
            {% for bucket in buckets -%}
                partition (article_bucket = {{ bucket }})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
