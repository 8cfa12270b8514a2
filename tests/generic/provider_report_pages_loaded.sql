{#- Provider report pages that cannot load (not JSON, not a usage or cost report page, a bucket or result line
    missing a field), with the reason. Applied at severity warn: the other pages load, and a re-fetch of the day
    replaces the page. -#}
{% test provider_report_pages_loaded(model) %}
select
    file_name,
    quarantine_reason
from {{ model }}
where quarantine_reason is not null
{% endtest %}
