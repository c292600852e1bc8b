"""Queries of the Licences page: how much of open-model use is under which licence class, and
whether derivatives keep their base model's class."""

QUERIES: dict[str, str] = {
    "licence_snapshots": """
        SELECT count(DISTINCT snapshot_date) AS snapshots,
               min(snapshot_date) AS first_date,
               max(snapshot_date) AS latest_date
        FROM marts.license_share_daily""",

    # One row per snapshot_date and licence class (zero-filled so each band spans every snapshot).
    "licence_class_share": """
        WITH by_class AS (
            SELECT snapshot_date, license_class,
                   sum(share_of_downloads_30d) AS share_of_downloads_30d,
                   sum(share_of_models) AS share_of_models
            FROM marts.license_share_daily
            GROUP BY ALL
        ),
        grid AS (
            SELECT days.snapshot_date, classes.license_class
            FROM (SELECT DISTINCT snapshot_date FROM by_class) AS days
            CROSS JOIN (SELECT DISTINCT license_class FROM by_class) AS classes
        )
        SELECT grid.snapshot_date, grid.license_class,
               coalesce(by_class.share_of_downloads_30d, 0) AS share_of_downloads_30d,
               coalesce(by_class.share_of_models, 0) AS share_of_models
        FROM grid LEFT JOIN by_class USING (snapshot_date, license_class)
        ORDER BY grid.snapshot_date, grid.license_class""",

    # Latest snapshot. "No recognised licence": no licence tag at all (missing) or an id outside
    # the taxonomy in warehouse/reference/licenses.csv (unrecognised).
    "licence_headline": """
        WITH latest AS (
            SELECT * FROM marts.license_share_daily
            WHERE snapshot_date = (SELECT max(snapshot_date) FROM marts.license_share_daily)
        )
        SELECT
            max(snapshot_date) AS snapshot_date,
            coalesce(sum(share_of_downloads_30d) FILTER (WHERE license_class = 'permissive'), 0)
                AS permissive_share,
            coalesce(sum(share_of_downloads_30d)
                     FILTER (WHERE license_status IN ('missing', 'unrecognised')), 0) AS unrecognised_share,
            coalesce(sum(share_of_downloads_30d) FILTER (WHERE license_status = 'missing'), 0)
                AS missing_share,
            coalesce(sum(models) FILTER (WHERE license_status IN ('missing', 'unrecognised')), 0)::BIGINT
                AS unrecognised_models,
            sum(models)::BIGINT AS models,
            sum(downloads_30d)::BIGINT AS downloads_30d
        FROM latest""",

    "licence_top": """
        -- an id outside the taxonomy (or no licence tag) has no commercial-use verdict: "unknown"
        SELECT license_id, license_class, coalesce(commercial_use, 'unknown') AS commercial_use,
               license_status, models,
               downloads_30d::BIGINT AS downloads_30d, share_of_downloads_30d
        FROM marts.license_share_daily
        WHERE snapshot_date = (SELECT max(snapshot_date) FROM marts.license_share_daily)
        ORDER BY downloads_30d DESC, license_id
        LIMIT $limit""",

    # Per relation: how many derivatives (with their parent in the crawl) changed licence class.
    # The four Hub relations are always listed, in this order; any other relation follows.
    "derivative_class_change_by_relation": """
        WITH relations(relation_to_parent, relation_order) AS (
            VALUES ('finetune', 1), ('adapter', 2), ('quantized', 3), ('merge', 4)
        ),
        counts AS (
            SELECT relation_to_parent,
                   sum(derivatives) AS derivatives,
                   coalesce(sum(derivatives) FILTER (WHERE changes_class), 0) AS changed_class
            FROM marts.derivative_license_changes
            GROUP BY ALL
        )
        SELECT relation_to_parent AS relation,
               coalesce(counts.derivatives, 0)::BIGINT AS derivatives,
               coalesce(counts.changed_class, 0)::BIGINT AS changed_class,
               counts.changed_class / nullif(counts.derivatives, 0) AS share_changing_class
        FROM relations FULL JOIN counts USING (relation_to_parent)
        ORDER BY coalesce(relations.relation_order, 99), relation""",

    "derivative_class_matrix": """
        SELECT parent_license_class, license_class AS derivative_license_class,
               sum(derivatives)::BIGINT AS derivatives
        FROM marts.derivative_license_changes
        WHERE $relation = 'all' OR relation_to_parent = $relation
        GROUP BY ALL
        ORDER BY parent_license_class, derivative_license_class""",

    # A derivative whose parent repo is not in the crawl has no parent licence to compare with.
    "derivative_coverage": """
        SELECT count(child.parent_model_id) AS derivatives,
               count(parent.model_id) AS with_parent_in_crawl
        FROM marts.hf_model_profile AS child
        LEFT JOIN marts.hf_model_profile AS parent ON parent.model_id = child.parent_model_id""",
}
