// Which columns the peers read, for both benchmark shapes: the Shopify
// orders export (order fields on the first line of each order, the order's
// Total there) and the narrow order-line table (price × quantity per line).
// A classic script: the peers' workers load it with importScripts, the
// DuckDB page with a <script> tag, node by import (it only sets a global).
globalThis.peerColumns = function peerColumns(header) {
  const at = (name) => header.indexOf(name);
  if (at("Total") >= 0) {
    return { shape: "shopify", email: at("Email"), date: at("Created at"), order: at("Name"), total: at("Total") };
  }
  return {
    shape: "narrow",
    email: at("email"),
    date: at("order_date"),
    order: at("order_id"),
    price: at("price"),
    quantity: at("quantity"),
  };
};

// The RFM query both DuckDBs run (in the browser and natively): orders per
// customer, then recency, frequency and monetary quintiles. `source` is a
// read_csv call on the file.
globalThis.rfmSql = function rfmSql(shape, source) {
  const lines =
    shape === "shopify"
      ? `SELECT lower(trim("Email")) AS customer, "Name" AS order_id, "Created at" AS placed,
                TRY_CAST("Total" AS DOUBLE) AS amount FROM ${source}`
      : `SELECT lower(trim(email)) AS customer, order_id, order_date AS placed,
                TRY_CAST(price AS DOUBLE) * TRY_CAST(quantity AS DOUBLE) AS amount FROM ${source}`;
  return `WITH lines AS (${lines}),
    orders AS (SELECT customer, order_id, max(placed) AS placed, sum(amount) AS amount
               FROM lines WHERE customer <> '' GROUP BY customer, order_id),
    customers AS (SELECT customer, max(placed) AS last, count(*) AS frequency, sum(amount) AS monetary
                  FROM orders GROUP BY customer),
    scored AS (SELECT customer, ntile(5) OVER (ORDER BY last) AS r,
                      ntile(5) OVER (ORDER BY frequency) AS f, ntile(5) OVER (ORDER BY monetary) AS m
               FROM customers)
    SELECT count(*) AS customers, sum(r * 100 + f * 10 + m) AS checksum FROM scored`;
};
