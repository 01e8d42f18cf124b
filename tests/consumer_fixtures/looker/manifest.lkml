constant: schema {
  value: "analytics"
}
