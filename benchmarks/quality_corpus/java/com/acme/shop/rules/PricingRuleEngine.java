package com.acme.shop.rules;

import groovy.lang.GroovyShell;
import java.math.BigDecimal;
import java.util.Map;
import javax.script.Bindings;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class PricingRuleEngine {

    /** Bundled with the application (src/main/resources/rules/loyalty.js). */
    private static final String LOYALTY_SCRIPT = "cart.total > 100 ? cart.total * 0.95 : cart.total";

    private final ExpressionParser parser = new SpelExpressionParser();
    private final ScriptEngine js = new ScriptEngineManager().getEngineByName("nashorn");
    private final Expression shippingExpr = parser.parseExpression("weight * 0.8 + 2.5"); // SAFE: code-injection

    public record Cart(BigDecimal total, int items, String country) {}

    public record RuleRequest(String formula, Cart cart) {}

    @PostMapping("/pricing/preview")
    public Object preview(@RequestBody RuleRequest req) throws ScriptException {
        Bindings b = js.createBindings();
        b.put("cart", req.cart());
        return js.eval(req.formula(), b); // VULN: code-injection
    }

    @PostMapping("/pricing/loyalty")
    public Object loyalty(@RequestBody Cart cart) throws ScriptException {
        Bindings b = js.createBindings();
        b.put("cart", cart);
        return js.eval(LOYALTY_SCRIPT, b); // SAFE: code-injection
    }

    @PostMapping("/pricing/spel")
    public Object spel(@RequestParam String expression, @RequestBody Cart cart) {
        StandardEvaluationContext ctx = new StandardEvaluationContext(cart);
        return parser.parseExpression(expression).getValue(ctx); // VULN: code-injection
    }

    @PostMapping("/pricing/condition")
    public Boolean condition(@RequestParam String condition, @RequestBody Cart cart) {
        SimpleEvaluationContext ctx = SimpleEvaluationContext.forReadOnlyDataBinding().withRootObject(cart).build();
        return parser.parseExpression(condition).getValue(ctx, Boolean.class); // SAFE: code-injection
    }

    private Object evaluateTemplate(String template, Object root) {
        Expression exp = parser.parseExpression(template, new org.springframework.expression.common.TemplateParserContext());
        return exp.getValue(root); // VULN: code-injection
    }

    @PostMapping("/pricing/banner")
    public Object banner(@RequestParam String text, @RequestBody Cart cart) {
        return evaluateTemplate(text, cart);
    }

    @PostMapping("/pricing/shipping")
    public Object shipping(@RequestParam double weight) {
        return shippingExpr.getValue(Map.of("weight", weight));
    }

    @PostMapping("/pricing/groovy")
    public Object groovy(@RequestBody Map<String, String> body) {
        GroovyShell shell = new GroovyShell();
        shell.setVariable("country", body.get("country"));
        return shell.evaluate(body.get("script")); // VULN: code-injection
    }

    @PostMapping("/pricing/tax")
    public Object tax(@RequestBody Map<String, String> body) {
        GroovyShell shell = new GroovyShell();
        shell.setVariable("country", body.get("country"));
        return shell.evaluate("country == 'DE' ? 0.19 : 0.0"); // SAFE: code-injection
    }
}
