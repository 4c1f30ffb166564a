with

stg_curated__claims as (

    select * from {{ ref('stg_curated__claims') }}

),

final as (

    select
        claim_id,
        article_id,
        subject_company_id,
        object_company_id,
        claim_code,
        relation,
        evidence_quote,
        is_affirmed
    from stg_curated__claims

)

select * from final
