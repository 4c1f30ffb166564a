{#- What a curator should look at next: figures extraction found that no
    curated target of the same article carries, names that match no
    alias, and curated targets whose value extraction cannot find in the
    article they quote. figure_id and mention_id are both keyed by
    (article_id, item_index), so a figure and a candidate name of one
    article can share a key: the review item's key adds its kind. -#}
with

fct_extracted_figure as (

    select * from {{ ref('fct_extracted_figure') }}

),

fct_mention as (

    select * from {{ ref('fct_mention') }}

),

fct_target as (

    select * from {{ ref('fct_target') }}

),

uncurated_figures as (

    select
        fct_extracted_figure.figure_id as reviewed_id,
        fct_extracted_figure.article_id,
        'figure_not_curated' as review_kind,
        fct_extracted_figure.surface_text,
        fct_extracted_figure.sentence_text,
        fct_extracted_figure.unit,
        fct_extracted_figure.start_offset,
        fct_extracted_figure.end_offset,
        fct_extracted_figure.value_low,
        fct_extracted_figure.value_high
    from fct_extracted_figure
    where not exists (
        select 1 as is_matched
        from fct_target
        where
            fct_target.article_id = fct_extracted_figure.article_id
            and fct_target.value_low = fct_extracted_figure.value_low
            and fct_target.value_high = fct_extracted_figure.value_high
    )

),

candidate_entities as (

    select
        fct_mention.mention_id as reviewed_id,
        fct_mention.article_id,
        'candidate_entity' as review_kind,
        fct_mention.surface_text,
        fct_mention.sentence_text,
        fct_mention.entity_type as unit,
        fct_mention.start_offset,
        fct_mention.end_offset,
        cast(null as double) as value_low,
        cast(null as double) as value_high
    from fct_mention
    where fct_mention.is_candidate

),

unextracted_targets as (

    select
        fct_target.target_id as reviewed_id,
        fct_target.article_id,
        'target_not_extracted' as review_kind,
        fct_target.evidence_quote as surface_text,
        fct_target.evidence_quote as sentence_text,
        fct_target.unit,
        cast(null as bigint) as start_offset,
        cast(null as bigint) as end_offset,
        fct_target.value_low,
        fct_target.value_high
    from fct_target
    where not exists (
        select 1 as is_matched
        from fct_extracted_figure
        where
            fct_extracted_figure.article_id = fct_target.article_id
            and fct_extracted_figure.value_low = fct_target.value_low
            and fct_extracted_figure.value_high = fct_target.value_high
    )

),

review_items as (

    select * from uncurated_figures
    union all
    select * from candidate_entities
    union all
    select * from unextracted_targets

),

final as (

    select
        {{ surrogate_key(['review_kind', 'reviewed_id']) }} as review_item_id,
        reviewed_id,
        article_id,
        review_kind,
        surface_text,
        sentence_text,
        unit,
        start_offset,
        end_offset,
        value_low,
        value_high
    from review_items

)

select
    review_item_id,
    reviewed_id,
    article_id,
    review_kind,
    surface_text,
    sentence_text,
    unit,
    start_offset,
    end_offset,
    value_low,
    value_high
from final
