// The segment both halves of the suite ask for on every benchmark file: the
// page as a merchant types it into the segment editor, the CLI as
// `--segment`. It mixes Shopify's attributes with the engine's predictions,
// so every kind of column is read; both must count the same customers.
export const SEGMENT = {
  name: "worth_keeping",
  query: "number_of_orders >= 2 AND amount_spent >= 100 AND churn_probability < 0.5",
};
