{#- What a curator should look at next: figures extraction found that no
    curated target of the same article carries, names that match no
    alias, and curated targets whose value extraction cannot find in the
    article they quote; with the curator's decision where one was made.
    An item is keyed by what a curator sees (article, kind, surface text
    and its occurrence), not by extraction's row numbers, so a decision
    in seeds/review_decisions.csv stays attached across rebuilds.
    Occurrences are counted over every extracted figure or mention, not
    only the queued ones, so curating one item does not renumber the
    others. A curated target is named by its target_code, which no other
    target can take: numbering targets that share a quote would hand a
    decision to another target once one with an earlier code is added. -#}
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

stg_curated__review_decisions as (

    select * from {{ ref('stg_curated__review_decisions') }}

),

figures_numbered as (

    select
        fct_extracted_figure.figure_id,
        fct_extracted_figure.article_id,
        fct_extracted_figure.surface_text,
        fct_extracted_figure.sentence_text,
        fct_extracted_figure.unit,
        fct_extracted_figure.currency,
        fct_extracted_figure.start_offset,
        fct_extracted_figure.end_offset,
        fct_extracted_figure.value_low,
        fct_extracted_figure.value_high,
        cast(
            dense_rank() over (
                partition by
                    fct_extracted_figure.article_id,
                    fct_extracted_figure.surface_text
                order by fct_extracted_figure.start_offset
            ) as bigint
        ) as occurrence
    from fct_extracted_figure

),

mentions_numbered as (

    select
        fct_mention.mention_id,
        fct_mention.article_id,
        fct_mention.surface_text,
        fct_mention.sentence_text,
        fct_mention.entity_type,
        fct_mention.start_offset,
        fct_mention.end_offset,
        fct_mention.is_candidate,
        {#- A name of two entities (JMC the company and the brand) is one
            occurrence in two rows: dense_rank counts positions. -#}
        cast(
            dense_rank() over (
                partition by fct_mention.article_id, fct_mention.surface_text
                order by fct_mention.start_offset
            ) as bigint
        ) as occurrence
    from fct_mention

),

uncurated_figures as (

    select
        figures_numbered.figure_id as reviewed_id,
        figures_numbered.article_id,
        'figure_not_curated' as review_kind,
        figures_numbered.surface_text,
        figures_numbered.sentence_text,
        figures_numbered.unit,
        cast(null as {{ dbt.type_string() }}) as entity_type,
        figures_numbered.occurrence,
        figures_numbered.start_offset,
        figures_numbered.end_offset,
        figures_numbered.value_low,
        figures_numbered.value_high
    from figures_numbered
    where not exists (
        select 1 as is_matched
        from fct_target
        where {{ figure_matches_target('figures_numbered', 'fct_target') }}
    )

),

candidate_entities as (

    select
        mentions_numbered.mention_id as reviewed_id,
        mentions_numbered.article_id,
        'candidate_entity' as review_kind,
        mentions_numbered.surface_text,
        mentions_numbered.sentence_text,
        cast(null as {{ dbt.type_string() }}) as unit,
        mentions_numbered.entity_type,
        mentions_numbered.occurrence,
        mentions_numbered.start_offset,
        mentions_numbered.end_offset,
        cast(null as double) as value_low,
        cast(null as double) as value_high
    from mentions_numbered
    where mentions_numbered.is_candidate

),

unextracted_targets as (

    select
        fct_target.target_id as reviewed_id,
        fct_target.article_id,
        'target_not_extracted' as review_kind,
        fct_target.target_code as surface_text,
        fct_target.evidence_quote as sentence_text,
        fct_target.unit,
        cast(null as {{ dbt.type_string() }}) as entity_type,
        cast(1 as bigint) as occurrence,
        cast(null as bigint) as start_offset,
        cast(null as bigint) as end_offset,
        fct_target.value_low,
        fct_target.value_high
    from fct_target
    where not exists (
        select 1 as is_matched
        from fct_extracted_figure
        where {{ figure_matches_target('fct_extracted_figure', 'fct_target') }}
    )

),

review_items as (

    select * from uncurated_figures
    union all
    select * from candidate_entities
    union all
    select * from unextracted_targets

),

keyed as (

    select
        {{ surrogate_key([
            'article_id', 'review_kind', 'surface_text', 'occurrence'
        ]) }} as review_item_id,
        reviewed_id,
        article_id,
        review_kind,
        surface_text,
        sentence_text,
        unit,
        entity_type,
        occurrence,
        start_offset,
        end_offset,
        value_low,
        value_high
    from review_items

),

decided as (

    select
        keyed.review_item_id,
        keyed.reviewed_id,
        keyed.article_id,
        keyed.review_kind,
        keyed.surface_text,
        keyed.sentence_text,
        keyed.unit,
        keyed.entity_type,
        stg_curated__review_decisions.decision,
        stg_curated__review_decisions.note as review_note,
        stg_curated__review_decisions.decided_by,
        keyed.occurrence,
        keyed.start_offset,
        keyed.end_offset,
        keyed.value_low,
        keyed.value_high,
        stg_curated__review_decisions.decided_on
    from keyed
    left join stg_curated__review_decisions
        on keyed.review_item_id = stg_curated__review_decisions.review_item_id

)

select
    review_item_id,
    reviewed_id,
    article_id,
    review_kind,
    surface_text,
    sentence_text,
    unit,
    entity_type,
    decision,
    review_note,
    decided_by,
    occurrence,
    start_offset,
    end_offset,
    value_low,
    value_high,
    decided_on
from decided
