with

int_claims_paired as (

    select * from {{ ref('int_claims_paired') }}

),

final as (

    select
        {{ surrogate_key(['affirming_claim_id', 'denying_claim_id']) }}
            as conflicting_claim_id,
        affirming_claim_id,
        denying_claim_id,
        subject_company_id,
        object_company_id,
        affirming_article_id,
        denying_article_id,
        relation,
        affirming_quote,
        denying_quote
    from int_claims_paired

)

select * from final
