- dashboard: sales
  title: Sales overview
  layout: newspaper
  elements:
  - name: orders_by_week
    title: Orders by week
    model: shop
    explore: orders
    type: looker_line
    fields: [orders.created_week, orders.count]
    sorts: [orders.created_week desc]
  - title: Revenue by country
    model: shop
    explore: orders
    type: looker_bar
    fields: [users.country, orders.total_paid]
    filters:
      orders.created_date: 30 days
  - name: loyal_customers
    explore: orders
    type: table
    fields: [users.email, user_facts.lifetime_orders]
    pivots: []
  - name: note
    type: text
    title_text: Figures exclude test orders
