# Spiegelhalter (2005) funnel limits for a proportion: exact binomial quantile with interpolation
# (Appendix A.1.1), from R's qbinom/pbinom. Reads funnel_inputs.csv, writes funnel_limits.json.
# Run from tests/oracles: Rscript funnel_limits.R
library(jsonlite)
inp <- read.csv("funnel_inputs.csv")
lim <- function(n, target, p) {
  r <- qbinom(p, n, target)                  # smallest r with P(R <= r) >= p
  f <- pbinom(r, n, target)
  fb <- pbinom(r - 1, n, target)
  a <- if (f > fb) (f - p) / (f - fb) else 0
  min(max((r - a) / n, 0), 1)
}
out <- lapply(seq_len(nrow(inp)), function(i) {
  n <- inp$n[i]; t <- inp$target[i]
  list(n = n, target = t,
       lower_95 = lim(n, t, 0.025), upper_95 = lim(n, t, 0.975),
       lower_998 = lim(n, t, 0.001), upper_998 = lim(n, t, 0.999))
})
writeLines(toJSON(out, auto_unbox = TRUE, digits = 12, pretty = TRUE), "funnel_limits.json")
