with

int_aliases_resolved as (

    select * from {{ ref('int_aliases_resolved') }}

),

final as (

    select
        alias_id,
        entity_id,
        entity_type,
        entity_code,
        canonical_name,
        alias,
        language,
        is_inflected,
        is_common_word
    from int_aliases_resolved

)

select * from final
