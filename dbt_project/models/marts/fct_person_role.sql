with

stg_curated__person_roles as (

    select * from {{ ref('stg_curated__person_roles') }}

),

final as (

    select
        person_role_id,
        person_id,
        company_id,
        article_id,
        role_title,
        evidence_quote
    from stg_curated__person_roles

)

select * from final
