package com.example.calc;

import groovy.lang.GroovyShell;
import java.io.IOException;
import java.util.Map;
import javax.el.ELContext;
import javax.el.ExpressionFactory;
import javax.el.ValueExpression;
import javax.script.Bindings;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import ognl.Ognl;
import org.mvel2.MVEL;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

public class CalculatorServlet extends HttpServlet {
    private final ScriptEngineManager manager = new ScriptEngineManager();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String formula = request.getParameter("formula");
        ScriptEngine engine = manager.getEngineByName("javascript");
        try {
            // ruleid: java-code-injection-scriptengine
            Object result = engine.eval(formula);
            response.getWriter().println(result);

            Bindings bindings = engine.createBindings();
            bindings.put("input", formula);
            // ok: java-code-injection-scriptengine
            engine.eval("input.length * 2", bindings);
        } catch (ScriptException e) {
            throw new IOException(e);
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String script = request.getParameter("script");
        GroovyShell shell = new GroovyShell();
        // ruleid: java-code-injection-scriptengine
        shell.evaluate("def x = 1; " + script);
        // ok: java-code-injection-scriptengine
        shell.evaluate("return 40 + 2");
    }

    protected Object el(HttpServletRequest request, ExpressionFactory factory, ELContext ctx) {
        String expr = request.getParameter("expr");
        // ruleid: java-code-injection-expression-language
        ValueExpression ve = factory.createValueExpression(ctx, "${" + expr + "}", Object.class);
        return ve.getValue(ctx);
    }

    protected Object ognl(HttpServletRequest request, Object root) throws Exception {
        String path = request.getParameter("path");
        // ruleid: java-code-injection-expression-language
        Object v = Ognl.getValue(path, root);
        // ruleid: java-code-injection-expression-language
        Object w = MVEL.eval(request.getParameter("rule"), root);
        // ok: java-code-injection-expression-language
        Object z = Ognl.getValue("user.name", root);
        return v;
    }
}

@RestController
class PricingController {
    private final ExpressionParser parser = new SpelExpressionParser();

    @GetMapping("/price")
    public Object price(@RequestParam String rule) {
        // ruleid: java-code-injection-spel
        Expression exp = parser.parseExpression(rule);
        return exp.getValue();
    }

    @GetMapping("/discount")
    public Object discount(@RequestParam("code") String code, Map<String, Object> ctx) {
        SpelExpressionParser p = new SpelExpressionParser();
        // ruleid: java-code-injection-spel
        return p.parseExpression("#discounts['" + code + "']").getValue(ctx);
    }

    @GetMapping("/total")
    public Object total(@RequestParam double amount) {
        SimpleEvaluationContext context = SimpleEvaluationContext.forReadOnlyDataBinding().build();
        context.setVariable("amount", amount);
        // ok: java-code-injection-spel
        return parser.parseExpression("#amount * 1.2").getValue(context);
    }
}
