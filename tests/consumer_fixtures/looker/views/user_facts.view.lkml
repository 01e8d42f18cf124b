view: user_facts {
  derived_table: {
    sql:
      SELECT user_id, COUNT(*) AS lifetime_orders
      FROM ${orders.SQL_TABLE_NAME}
      GROUP BY user_id ;;
  }

  dimension: user_id {
    primary_key: yes
    hidden: yes
  }

  dimension: lifetime_orders {
    type: number
    sql: ${TABLE}.lifetime_orders ;;
  }
}
