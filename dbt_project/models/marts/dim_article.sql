{{ config(**article_incremental_config()) }}
{#- Incremental, keyed on article_id: see macros/article_incremental.sql.
    dbt learns a model's refs while parsing, when is_incremental() is
    false, so the two the incremental filter reads are named below. -#}
-- depends_on: {{ ref('stg_news__article_changes') }}
-- depends_on: {{ ref('stg_news__articles') }}
with

int_articles_joined as (

    select * from {{ ref('int_articles_joined') }}
    {% if is_incremental() %}
        where {{ affected_articles_filter('article_id') }}
    {% endif %}

),

final as (

    select
        article_id,
        outlet_company_id,
        file_name,
        title,
        language,
        source_encoding,
        cited_source,
        published_on_precision,
        published_on_basis,
        published_on_reasoning,
        source_url,
        article_text,
        byte_length,
        character_length,
        published_on,
        ingested_at,
        {{ article_bucket('article_id') }} as article_bucket
    from int_articles_joined

)

select * from final
