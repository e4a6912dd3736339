package com.example.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;

@Configuration
public class SecurityConfig {
    @Bean
    public SecurityFilterChain filterChain(HttpSecurity http) throws Exception {
        http.authorizeRequests().anyRequest().authenticated()
                .and()
                .formLogin()
                .and()
                // ruleid: java-csrf-protection-disabled
                .csrf().disable();
        return http.build();
    }

    @Bean
    public SecurityFilterChain lambdaChain(HttpSecurity http) throws Exception {
        // ruleid: java-csrf-protection-disabled
        http.csrf(csrf -> csrf.disable())
                .formLogin(form -> form.loginPage("/login"));
        return http.build();
    }

    @Bean
    public SecurityFilterChain refChain(HttpSecurity http) throws Exception {
        return http
                // ruleid: java-csrf-protection-disabled
                .csrf(AbstractHttpConfigurer::disable)
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .build();
    }

    @Bean
    public SecurityFilterChain safeChain(HttpSecurity http) throws Exception {
        // ok: java-csrf-protection-disabled
        http.csrf(csrf -> csrf.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse()));
        return http.build();
    }

    @Bean
    public SecurityFilterChain statelessApi(HttpSecurity http) throws Exception {
        http
                // ok: java-csrf-protection-disabled
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .oauth2ResourceServer(o -> o.jwt());
        return http.build();
    }

    @Bean
    public SecurityFilterChain memberChain(HttpSecurity http) throws Exception {
        http.securityMatcher("/members/**")
                .formLogin(f -> f.loginPage("/members/login"))
                // ruleid: java-csrf-protection-disabled
                .csrf(c -> c.ignoringRequestMatchers("/members/**"));
        return http.build();
    }

    @Bean
    public SecurityFilterChain shopChain(HttpSecurity http) throws Exception {
        http.formLogin(f -> f.loginPage("/login"))
                // ok: java-csrf-protection-disabled
                .csrf(c -> c.ignoringRequestMatchers("/webhooks/payments", "/webhooks/shipping"));
        return http.build();
    }

    @Bean
    public SecurityFilterChain partnerChain(HttpSecurity http) throws Exception {
        http.formLogin(f -> f.loginPage("/login"))
                // ok: java-csrf-protection-disabled
                .csrf(c -> c.ignoringRequestMatchers("/api/**"));
        return http.build();
    }

    @Bean
    public SecurityFilterChain legacyChain(HttpSecurity http) throws Exception {
        http.formLogin();
        // ruleid: java-csrf-protection-disabled
        http.csrf().ignoringAntMatchers("/**");
        return http.build();
    }

    @Bean
    public SecurityFilterChain blockChain(HttpSecurity http) throws Exception {
        http.formLogin(f -> f.loginPage("/login"))
                // ruleid: java-csrf-protection-disabled
                .csrf(csrf -> {
                    csrf.disable();
                });
        return http.build();
    }

    @Bean
    public SecurityFilterChain defaultChain(HttpSecurity http) throws Exception {
        http.formLogin(f -> f.loginPage("/login"))
                // ok: java-csrf-protection-disabled
                .csrf(Customizer.withDefaults());
        return http.build();
    }
}
