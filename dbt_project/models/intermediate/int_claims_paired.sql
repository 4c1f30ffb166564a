{#- A conflict is the same relation between the same two companies,
    affirmed by one claim and denied by another. The articles are not
    compared: one article contradicting itself is a conflict too. The
    mart adds the pair's key (and tests it unique), so that its lineage
    shows the key built from both claims; the pairing is chosen here. -#}
with

stg_curated__claims as (

    select * from {{ ref('stg_curated__claims') }}

),

affirmed as (

    select * from stg_curated__claims
    where is_affirmed

),

denied as (

    select * from stg_curated__claims
    where not is_affirmed

),

paired as (

    select
        affirmed.claim_id as affirming_claim_id,
        denied.claim_id as denying_claim_id,
        affirmed.subject_company_id,
        affirmed.object_company_id,
        affirmed.article_id as affirming_article_id,
        denied.article_id as denying_article_id,
        affirmed.relation,
        affirmed.evidence_quote as affirming_quote,
        denied.evidence_quote as denying_quote
    from affirmed
    inner join denied
        on
            affirmed.subject_company_id = denied.subject_company_id
            and affirmed.object_company_id = denied.object_company_id
            and affirmed.relation = denied.relation

)

select * from paired
