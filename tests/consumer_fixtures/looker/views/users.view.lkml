view: users {
  sql_table_name: "public"."users" ;;

  dimension: id {
    primary_key: yes
    sql: ${TABLE}.id ;;
  }

  dimension: email {
    sql: ${TABLE}."email" ;;
  }

  dimension: country {
    sql: ${TABLE}.country ;;
  }
}
