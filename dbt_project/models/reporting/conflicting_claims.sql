with

fct_conflicting_claim as (

    select * from {{ ref('fct_conflicting_claim') }}

),

dim_company as (

    select * from {{ ref('dim_company') }}

),

dim_article as (

    select * from {{ ref('dim_article') }}

),

named as (

    select
        fct_conflicting_claim.conflicting_claim_id,
        fct_conflicting_claim.affirming_article_id,
        fct_conflicting_claim.denying_article_id,
        subject_company.company_name as subject_company_name,
        fct_conflicting_claim.relation,
        object_company.company_name as object_company_name,
        affirming_article.title as affirming_article_title,
        affirming_article.file_name as affirming_article_file_name,
        fct_conflicting_claim.affirming_quote,
        denying_article.title as denying_article_title,
        denying_article.file_name as denying_article_file_name,
        fct_conflicting_claim.denying_quote,
        affirming_article.published_on as affirming_article_published_on,
        denying_article.published_on as denying_article_published_on
    from fct_conflicting_claim
    left join dim_company as subject_company
        on fct_conflicting_claim.subject_company_id = subject_company.company_id
    left join dim_company as object_company
        on fct_conflicting_claim.object_company_id = object_company.company_id
    left join dim_article as affirming_article
        on
            fct_conflicting_claim.affirming_article_id
            = affirming_article.article_id
    left join dim_article as denying_article
        on
            fct_conflicting_claim.denying_article_id
            = denying_article.article_id

)

select * from named
