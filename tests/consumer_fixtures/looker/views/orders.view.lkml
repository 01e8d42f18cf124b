view: orders {
  sql_table_name: @{schema}.`orders` ;;

  dimension: id {
    primary_key: yes
    type: number
    sql: ${TABLE}.id ;;
  }

  dimension: user_id {
    type: number
    hidden: yes
    sql: ${TABLE}.user_id ;;
  }

  dimension: status {
    type: string
  }

  dimension_group: created {
    type: time
    timeframes: [date, week, month]
    sql: ${TABLE}.created_at ;;
  }

  dimension: amount {
    type: number
    sql: ${TABLE}.amount_cents / 100.0 ;;
  }

  dimension: is_paid {
    type: yesno
    sql: ${status} = 'paid' ;;
  }

  measure: count {
    type: count
  }

  measure: total_paid {
    type: sum
    sql: ${amount} ;;
    filters: [is_paid: "yes"]
  }
}
