// The PapaParse peer: stream-parse the file in this worker and aggregate per
// customer in a JS Map, as a hand-written browser tool would: per lower-cased
// email, orders (an order's lines are consecutive), last date and spend.
importScripts("../../../node_modules/papaparse/papaparse.min.js", "columns.js");

onmessage = (event) => {
  const file = event.data.file;
  const start = performance.now();
  const customers = new Map();
  let columns = null;
  let rows = 0;
  Papa.parse(file, {
    chunkSize: 8 << 20,
    skipEmptyLines: true,
    chunk: (results) => {
      for (const row of results.data) {
        if (columns === null) {
          columns = peerColumns(row);
          continue;
        }
        rows += 1;
        const email = (row[columns.email] || "").trim().toLowerCase();
        if (!email) continue;
        const amount =
          columns.shape === "shopify"
            ? Number(row[columns.total] || 0)
            : Number(row[columns.price]) * Number(row[columns.quantity]);
        const order = row[columns.order];
        const date = row[columns.date];
        const customer = customers.get(email);
        if (!customer) {
          customers.set(email, { orders: 1, spent: amount, last: date, order });
          continue;
        }
        if (customer.order !== order) {
          customer.orders += 1;
          customer.order = order;
        }
        customer.spent += amount;
        if (date > customer.last) customer.last = date;
      }
    },
    complete: () => postMessage({ ms: performance.now() - start, rows, customers: customers.size }),
    error: (error) => postMessage({ error: String(error) }),
  });
};
