{{ config(**article_incremental_config()) }}
{#- Incremental, keyed on article_id: see macros/article_incremental.sql.
    dbt learns a model's refs while parsing, when is_incremental() is
    false, so the two the incremental filter reads are named below. -#}
-- depends_on: {{ ref('stg_news__article_changes') }}
-- depends_on: {{ ref('stg_news__articles') }}
with

stg_news__extracted_mentions as (

    select * from {{ ref('stg_news__extracted_mentions') }}
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
        stg_news__extracted_mentions.mention_id,
        stg_news__extracted_mentions.article_id,
        stg_news__extracted_mentions.entity_id,
        stg_news__extracted_mentions.entity_type,
        stg_news__extracted_mentions.entity_code,
        stg_news__extracted_mentions.canonical_name,
        stg_news__extracted_mentions.matched_alias,
        stg_news__extracted_mentions.surface_text,
        {{ text_between_offsets(
            'stg_news__articles.article_text',
            'stg_news__extracted_mentions.sentence_start_offset',
            'stg_news__extracted_mentions.sentence_end_offset'
        ) }} as sentence_text,
        stg_news__extracted_mentions.start_offset,
        stg_news__extracted_mentions.end_offset,
        stg_news__extracted_mentions.is_candidate,
        {{ article_bucket(
            'stg_news__extracted_mentions.article_id'
        ) }} as article_bucket
    from stg_news__extracted_mentions
    inner join stg_news__articles
        on
            stg_news__extracted_mentions.article_id
            = stg_news__articles.article_id

)

select * from with_sentence
