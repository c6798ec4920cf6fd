# Controlled interrupted time series: R's lm on the stacked studied and comparison series,
# the reference for helpers.its.controlled_segmented_regression.
# Run from the repository root: Rscript tests/oracles/controlled_its.R
library(jsonlite)
d <- read.csv("tests/oracles/controlled_its.csv")
t0 <- max(d$t[d$x == 0])
s <- rbind(data.frame(y = d$control, t = d$t, x = d$x, g = 0),
           data.frame(y = d$y, t = d$t, x = d$x, g = 1))
s$slope <- (s$t - t0) * s$x
fit <- lm(y ~ t + x + slope + g + g:t + g:x + g:slope, data = s)
b <- coef(fit); V <- vcov(fit); df <- fit$df.residual
contrast <- function(names) {
  w <- setNames(rep(0, length(b)), names(b)); w[names] <- 1
  est <- sum(w * b); se <- sqrt(drop(t(w) %*% V %*% w)); q <- qt(0.975, df)
  list(estimate = est, se = se, ci_low = est - q * se, ci_high = est + q * se,
       p_value = 2 * pt(-abs(est / se), df), df = df)
}
out <- list(
  level_change = contrast(c("x", "x:g")),
  slope_change = contrast(c("slope", "slope:g")),
  level_change_vs_control = contrast("x:g"),
  slope_change_vs_control = contrast("slope:g"),
  r_version = R.version.string)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/oracles/controlled_its.json")
