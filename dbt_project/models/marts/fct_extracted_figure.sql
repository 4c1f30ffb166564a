{{ config(**article_incremental_config()) }}
{#- Incremental, keyed on article_id: see macros/article_incremental.sql.
    dbt learns a model's refs while parsing, when is_incremental() is
    false, so the two the incremental filter reads are named below. -#}
-- depends_on: {{ ref('stg_news__article_changes') }}
-- depends_on: {{ ref('stg_news__articles') }}
with

stg_news__extracted_figures as (

    select * from {{ ref('stg_news__extracted_figures') }}
    {% if is_incremental() %}
        where {{ affected_articles_filter('article_id') }}
    {% endif %}

),

stg_news__articles as (

    select * from {{ ref('stg_news__articles') }}
    {% if is_incremental() %}
        where {{ affected_articles_filter('article_id') }}
    {% endif %}

),

with_sentence as (

    select
        stg_news__extracted_figures.figure_id,
        stg_news__extracted_figures.article_id,
        stg_news__extracted_figures.surface_text,
        {{ text_between_offsets(
            'stg_news__articles.article_text',
            'stg_news__extracted_figures.sentence_start_offset',
            'stg_news__extracted_figures.sentence_end_offset'
        ) }} as sentence_text,
        stg_news__extracted_figures.unit,
        stg_news__extracted_figures.currency,
        stg_news__extracted_figures.qualifier,
        stg_news__extracted_figures.start_offset,
        stg_news__extracted_figures.end_offset,
        stg_news__extracted_figures.value_low,
        stg_news__extracted_figures.value_high,
        stg_news__extracted_figures.period_start,
        stg_news__extracted_figures.period_end,
        {{ article_bucket(
            'stg_news__extracted_figures.article_id'
        ) }} as article_bucket
    from stg_news__extracted_figures
    inner join stg_news__articles
        on
            stg_news__extracted_figures.article_id
            = stg_news__articles.article_id

)

select * from with_sentence
